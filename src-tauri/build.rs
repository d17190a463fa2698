fn main() {
    // The app's own commands, declared in an app manifest so that a capability must grant each one
    // (`allow-<command>` in tauri.conf.json's `main-window` capability).
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "ui_ready",
        "get_preferences",
        "set_preferences",
        "set_history_retention",
        "provider_descriptors",
        "list_accounts",
        "create_account",
        "update_account",
        "delete_account",
        "test_account",
        "create_sandbox_accounts",
        "preview_action",
        "unmasked_curl",
        "run_action",
        "history_page",
        "history_count",
        "history_get",
        "history_export_csv",
        "plan_job",
        "start_job",
        "pause_job",
        "cancel_job",
        "resume_job",
        "list_jobs",
        "budget_status",
        "job_results",
        "save_job_results",
        "action_results",
        "save_action_results",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest))
        .expect("failed to run tauri-build");
}
