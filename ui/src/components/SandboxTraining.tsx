// Settings › the sandbox for training: "Reset the sandbox" (asks first) and faults to rehearse (a provider
// down, slow, rate limited, answering with a wrong signature). Shown only when a sandbox account exists.
import { useEffect, useState } from "react";
import { useTranslation } from "../i18n";
import { api, asCoreError, type CoreError, type ProviderDescriptor, type SandboxTraining, type TrainingFault } from "../api";
import { ErrorBox } from "./ErrorBox";
import { useToast } from "../hooks/useToast";

const FAULTS: TrainingFault[] = ["down", "slow", "rate_limited", "wrong_signature"];

export function SandboxTrainingCard() {
  const { t, i18n } = useTranslation();
  const [training, setTraining] = useState<SandboxTraining | null>(null);
  const [providers, setProviders] = useState<ProviderDescriptor[]>([]);
  const [provider, setProvider] = useState("");
  const [fault, setFault] = useState<TrainingFault>("down");
  const [count, setCount] = useState("1");
  const [asking, setAsking] = useState(false);
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CoreError | null>(null);

  useEffect(() => {
    void Promise.all([api.sandboxTraining(), api.providerDescriptors()])
      .then(([tr, ds]) => {
        setTraining(tr);
        setProviders(ds);
        setProvider((p) => p || ds[0]?.id || "");
      })
      .catch(() => setTraining(null));
  }, []);

  if (!training?.available) return null;
  const nf = new Intl.NumberFormat(i18n.language);
  const nameOf = (id: string) => providers.find((d) => d.id === id)?.display_name ?? id;
  const signs = training.signing.includes(provider as never);
  const run = async (f: () => Promise<SandboxTraining>) => {
    setBusy(true);
    setError(null);
    try {
      setTraining(await f());
      return true;
    } catch (e) {
      setError(asCoreError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const reset = async () => {
    if (await run(api.resetSandbox)) {
      setAsking(false);
      toast({ testId: "sandbox-reset-done", message: () => t("sandbox_training.reset_done") });
    }
  };
  const addFault = async () => {
    if (await run(() => api.injectSandboxFault(provider, fault, n))) {
      const [name, kind, count] = [nameOf(provider), fault, n];
      toast({
        testId: "fault-added",
        message: () => {
          const requests = t("sandbox_training.next_requests", { count, n: new Intl.NumberFormat(i18n.language).format(count) });
          return t("toast.fault_added", { provider: name, fault: t(`sandbox_training.kind.${kind}`), requests });
        },
      });
    }
  };
  const clearFaults = async () => {
    if (await run(api.clearSandboxFaults)) toast({ testId: "faults-cleared", message: () => t("toast.faults_cleared") });
  };
  const n = Number(count);
  const countOk = /^\d+$/.test(count.trim()) && n >= 1 && n <= training.max_count;

  return (
    <section className="card" data-testid="sandbox-training">
      <h2 className="card-title">{t("sandbox_training.title")}</h2>
      <p className="field-help">{t("sandbox_training.intro")}</p>

      <div className="field">
        <span className="field-label">{t("sandbox_training.reset_title")}</span>
        <span className="field-help">{t("sandbox_training.reset_help")}</span>
        {!asking ? (
          <div className="row">
            <button type="button" className="btn" data-testid="sandbox-reset" onClick={() => setAsking(true)}>
              {t("sandbox_training.reset")}
            </button>
          </div>
        ) : (
          <div className="confirm" data-testid="sandbox-reset-confirm">
            <p>{t("sandbox_training.reset_confirm")}</p>
            <div className="row">
              <button type="button" className="btn" onClick={() => setAsking(false)} data-testid="sandbox-reset-cancel">
                {t("common.cancel")}
              </button>
              <button type="button" className="btn danger" disabled={busy} onClick={() => void reset()} data-testid="sandbox-reset-apply">
                {t("sandbox_training.reset")}
              </button>
            </div>
          </div>
        )}
      </div>

      <fieldset className="field training-part">
        <legend className="field-label">{t("sandbox_training.faults_title")}</legend>
        <span className="field-help">{t("sandbox_training.faults_help")}</span>
        <div className="row training-fault">
          <label className="field">
            <span className="field-label">{t("sandbox_training.provider")}</span>
            <select value={provider} data-testid="fault-provider" onChange={(e) => setProvider(e.target.value)}>
              {providers.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.display_name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">{t("sandbox_training.fault")}</span>
            <select value={fault} data-testid="fault-kind" onChange={(e) => setFault(e.target.value as TrainingFault)}>
              {FAULTS.map((f) => (
                <option key={f} value={f} disabled={f === "wrong_signature" && !signs}>
                  {t(`sandbox_training.kind.${f}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">{t("sandbox_training.count")}</span>
            <input inputMode="numeric" value={count} data-testid="fault-count" onChange={(e) => setCount(e.target.value)} />
          </label>
        </div>
        <span className="field-help" data-testid="fault-explain">
          {t(`sandbox_training.explain.${fault}`, { seconds: nf.format(training.slow_seconds) })}
          {fault === "wrong_signature" && !signs && ` ${t("reasons.not_signed")}`}
        </span>
        {!countOk && <span className="field-error" data-testid="fault-count-error">{t("sandbox_training.count_range", { max: nf.format(training.max_count) })}</span>}
        <div className="row">
          <button
            type="button"
            className="btn primary"
            disabled={busy || !countOk || (fault === "wrong_signature" && !signs)}
            data-testid="fault-add"
            onClick={() => void addFault()}
          >
            {t("sandbox_training.add")}
          </button>
        </div>
      </fieldset>

      <div className="field training-part" data-testid="fault-pending">
        <span className="field-label">{t("sandbox_training.pending")}</span>
        {training.pending.length === 0 ? (
          <span className="field-hint" data-testid="fault-none">{t("sandbox_training.none")}</span>
        ) : (
          <>
            <ul className="plain-list">
              {training.pending
                .filter((p, i, all) => all.findIndex((q) => q.provider === p.provider && q.fault === p.fault && q.count === p.count) === i)
                .map((p) => (
                <li key={`${p.api}-${p.fault}`} data-testid="fault-row" data-provider={p.provider} data-fault={p.fault}>
                  {t("sandbox_training.pending_row", {
                    provider: nameOf(p.provider),
                    fault: t(`sandbox_training.kind.${p.fault}`),
                    requests: t("sandbox_training.next_requests", { count: p.count, n: nf.format(p.count) }),
                  })}
                </li>
              ))}
            </ul>
            <div className="row">
              <button type="button" className="btn" disabled={busy} data-testid="fault-clear" onClick={() => void clearFaults()}>
                {t("sandbox_training.clear")}
              </button>
            </div>
          </>
        )}
      </div>
      {error && <ErrorBox error={error} testId="training-error" />}
    </section>
  );
}
