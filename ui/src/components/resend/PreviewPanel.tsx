// The signed request as it would be sent now (secrets masked), with "Copy as cURL" and "Copy with secrets…":
// technical details, behind a disclosure that is closed unless the user asked for the preview.
import { useState } from "react";
import { useTranslation } from "../../i18n";
import type { RedactedRequest } from "../../api";
import { copyText } from "../../lib/clipboard";
import { toCurl } from "../../lib/curl";
import { RequestView } from "../RequestView";

export function PreviewPanel(props: {
  preview: RedactedRequest;
  onCopySecrets: () => void;
  /** The app copied a command with secrets: when it clears the clipboard (null: it cannot). */
  secretsCopied: null | { clearSeconds: number | null };
  /** Open at first (the user asked for the preview); closed when it only came with a confirmation. */
  open: boolean;
}) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copyCurl = async () => {
    setCopied(await copyText(toCurl(props.preview)));
    window.setTimeout(() => setCopied(false), 2500);
  };
  const p = props.preview;
  return (
    <details className="card wide-card tech-details" data-testid="resend-preview-panel" open={props.open || undefined}>
      <summary className="tech-summary" data-testid="tech-details-toggle">
        {t("resend.technical_details")}
      </summary>
      <div className="card-head">
        <h2 className="card-title">{t("resend.preview_title")}</h2>
        <div className="row">
          <button type="button" className="btn small" onClick={copyCurl} data-testid="copy-curl">
            {copied ? t("common.copied") : t("resend.copy_curl")}
          </button>
          <button type="button" className="btn small danger-outline" onClick={props.onCopySecrets} data-testid="copy-curl-secrets">
            {t("resend.copy_curl_secrets")}
          </button>
        </div>
      </div>
      <p className="field-help">{t("resend.preview_help")}</p>
      {props.secretsCopied && (
        <div className="warning" role="status" data-testid="copy-secrets-done">
          {props.secretsCopied.clearSeconds
            ? t("copy_secrets.copied_clears", { seconds: props.secretsCopied.clearSeconds })
            : t("copy_secrets.copied_no_clear")}
        </div>
      )}
      <RequestView method={p.method} url={p.url} headers={p.headers} body={p.body} testId="preview-request" />
    </details>
  );
}
