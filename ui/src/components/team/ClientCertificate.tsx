// Joining a team whose server asks members for a client certificate: the certificate, its private key and,
// when the team's server has an authority of its own, that authority's certificate, each pasted as PEM text
// or read from a chosen file. The key is sent once, with the join, and cleared from the form afterwards.
import { useId } from "react";
import { useTranslation } from "../../i18n";
import type { TeamJoinTls } from "../../api";

export const NO_TLS: TeamJoinTls = { client_cert: "", client_key: "", ca_cert: "" };

/** What the form sends: nothing when no part is filled in. */
export function joinTls(tls: TeamJoinTls): TeamJoinTls | null {
  return tls.client_cert.trim() || tls.client_key.trim() || tls.ca_cert.trim() ? tls : null;
}

function PemField({ name, value, onChange, secret }: { name: keyof TeamJoinTls; value: string; onChange: (v: string) => void; secret?: boolean }) {
  const { t } = useTranslation();
  const labelId = useId();
  const helpId = useId();
  const key = name === "client_cert" ? "cert" : name === "client_key" ? "key" : "ca";
  const readFile = async (file: File | undefined) => {
    if (file) onChange(await file.text());
  };
  return (
    <div className="field" data-testid={`team-tls-${name}`}>
      <span className="field-label" id={labelId}>
        {t(`team.tls_${key}`)}
      </span>
      <textarea
        rows={4}
        className={`mono${secret ? " secret-text" : ""}`}
        spellCheck={false}
        autoComplete="off"
        value={value}
        aria-labelledby={labelId}
        aria-describedby={helpId}
        placeholder={t(secret ? "team.tls_key_placeholder" : "accounts.paste_certificate")}
        data-testid={`team-tls-${name}-text`}
        onChange={(e) => onChange(e.target.value)}
      />
      <label className="file-pick">
        <input type="file" accept=".pem,.key,.crt,.cer,.txt" onChange={(e) => void readFile(e.target.files?.[0])} />
        {t("accounts.choose_file")}
      </label>
      <span className="field-help" id={helpId}>
        {t(`team.tls_${key}_help`)}
      </span>
    </div>
  );
}

/** The optional "Client certificate" part of the join form. */
export function ClientCertificate({ open, onOpen, tls, onChange }: { open: boolean; onOpen: (open: boolean) => void; tls: TeamJoinTls; onChange: (tls: TeamJoinTls) => void }) {
  const { t } = useTranslation();
  const set = (name: keyof TeamJoinTls) => (v: string) => onChange({ ...tls, [name]: v });
  return (
    <div className="team-tls">
      <label className="check">
        <input type="checkbox" checked={open} data-testid="team-tls-toggle" onChange={(e) => onOpen(e.target.checked)} />
        <span>{t("team.tls_toggle")}</span>
      </label>
      {open && (
        <>
          <p className="field-help team-tls-help">{t("team.tls_help")}</p>
          <PemField name="client_cert" value={tls.client_cert} onChange={set("client_cert")} />
          <PemField name="client_key" value={tls.client_key} onChange={set("client_key")} secret />
          <PemField name="ca_cert" value={tls.ca_cert} onChange={set("ca_cert")} />
        </>
      )}
    </div>
  );
}
