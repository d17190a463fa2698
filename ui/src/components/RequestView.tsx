import { useTranslation } from "../i18n";

/** A (masked) HTTP request or response: first line, headers and body in monospace. */
export function RequestView(props: {
  method?: string;
  url?: string;
  status?: number;
  headers: [string, string][];
  body: string | null;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="http-view" data-testid={props.testId}>
      <div className="http-line mono">
        {props.method && <span className="http-method">{props.method}</span>}
        {props.url && <span className="http-url">{props.url}</span>}
        {props.status !== undefined && <span className="http-status">HTTP {props.status}</span>}
      </div>
      {props.headers.length > 0 && (
        <div className="http-headers mono">
          {props.headers.map(([k, v], i) => (
            <div key={i}>
              <span className="http-header-name">{k}:</span> {v}
            </div>
          ))}
        </div>
      )}
      <pre className="http-body mono">{props.body ? prettyBody(props.body) : t("work.no_body")}</pre>
    </div>
  );
}

function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
