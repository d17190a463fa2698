//! Fireblocks outcomes in words: the phrases (translation keys and their values) the result panel shows.

use super::ops;
use crate::providers::Phrase;
use serde_json::Value;

pub fn describe(operation: &str, result: &Value) -> Vec<Phrase> {
    let n = |k: &str| result.get(k).and_then(Value::as_i64).unwrap_or(0);
    let text = |k: &str| result.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    match operation {
        ops::RESEND_FAILED => match result.get("jobId").and_then(Value::as_str) {
            Some(job) => vec![Phrase::new("result.fireblocks_resending").with("n", n("total")).with("job", job)],
            None => vec![Phrase::new("result.fireblocks_nothing_failed")],
        },
        ops::RESEND_NOTIFICATION => vec![Phrase::new("result.fireblocks_notification_accepted")],
        ops::RESEND_BY_RESOURCE => vec![Phrase::new("result.fireblocks_resource_accepted")],
        ops::GET_RESEND_JOB => {
            let key = match text("status").as_str() {
                "QUEUED" => "result.fireblocks_job_queued",
                "IN_PROGRESS" => "result.fireblocks_job_in_progress",
                "COMPLETED" => "result.fireblocks_job_completed",
                "FAILED" => "result.fireblocks_job_failed",
                _ => "result.fireblocks_job_unnamed_state",
            };
            vec![Phrase::new(key).with("done", n("processed")).with("total", n("total")).with("job", text("jobId"))]
        }
        ops::RESEND_FAILED_V1 => vec![Phrase::new("result.fireblocks_v1_count").with("n", n("messagesCount"))],
        ops::RESEND_TRANSACTION_V1 => vec![Phrase::new("result.fireblocks_v1_transaction")],
        _ => Vec::new(),
    }
}
