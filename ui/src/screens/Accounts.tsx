import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "../i18n";
import { shortcutProps } from "../lib/shortcuts";
import { api, isCoreError, type AccountField, type AccountView, type CoreError, type ProviderDescriptor, type TestResult } from "../api";
import { EmptyState } from "../components/EmptyState";
import { EnvPill } from "../components/EnvBadge";
import { ErrorBox } from "../components/ErrorBox";
import { AccountForm } from "../components/AccountForm";
import { shownLabel } from "../lib/account";
import { compareNames } from "../lib/names";
import { useAccountsChanged } from "../hooks/useAccountsChanged";
import { useTeamAccess, type TeamAccess } from "../hooks/useTeamAccess";
import { ShareAccount } from "../components/team/ShareAccount";
import { AccountRules } from "../components/team/AccountRules";
import { useToast } from "../hooks/useToast";
import { namedIdText, readNamedIds } from "../lib/namedids";
import { providerList } from "../lib/descriptors";

type Mode = { kind: "list" } | { kind: "add" } | { kind: "edit"; account: AccountView };

export function AccountsScreen({ onChanged }: { onChanged?: () => void }) {
  const { t, i18n } = useTranslation();
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>([]);
  const [mode, setMode] = useState<Mode>({ kind: "list" });
  // How many times a form was opened again (a new form each time, see `reopen`).
  const [opened, setOpened] = useState(0);
  const [error, setError] = useState<CoreError | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();

  const reload = useCallback(async () => {
    try {
      const [list, desc] = await Promise.all([api.listAccounts(), api.providerDescriptors()]);
      setAccounts(list);
      setDescriptors(desc);
    } catch (e) {
      setError(isCoreError(e) ? e : null);
      setAccounts([]);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);
  // In a team workspace an account shared with this member arrives while the screen is open.
  useAccountsChanged(() => void reload());
  const access = useTeamAccess();

  const done = async () => {
    setMode({ kind: "list" });
    await reload();
    onChanged?.();
  };

  const trySandbox = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.createSandboxAccounts();
      toast({ testId: "sandbox-accounts-added", message: () => t("toast.sandbox_accounts_added") });
      await done();
    } catch (e) {
      if (isCoreError(e)) setError(e);
    } finally {
      setBusy(false);
    }
  };

  // The account as it is now, in a new form (what was typed in the old one is gone, as its error said).
  // Back to the list if it is gone (deleted meanwhile).
  const reopen = async (id: number) => {
    const now = (await api.listAccounts().catch(() => [])).find((a) => a.id === id);
    if (!now) return done();
    setOpened((n) => n + 1);
    setMode({ kind: "edit", account: now });
  };

  if (mode.kind !== "list") {
    const account = mode.kind === "edit" ? mode.account : undefined;
    return (
      <AccountForm
        key={opened}
        descriptors={descriptors}
        account={account}
        onCancel={() => setMode({ kind: "list" })}
        onSaved={done}
        onReopen={() => account && void reopen(account.id)}
      />
    );
  }

  const groups = descriptors
    .map((d) => ({ d, items: (accounts ?? []).filter((a) => a.provider === d.id) }))
    .filter((g) => g.items.length > 0);

  return (
    <>
      <div className="screen-head">
        <p className="screen-subtitle" data-testid="accounts-subtitle">
          {descriptors.length > 0 && t("screens.accounts.subtitle", { providers: providerList(descriptors, i18n.language) })}
        </p>
        {accounts && accounts.length > 0 && (
          <div className="row">
            {!accounts.some((a) => a.environment === "sandbox") && (
              <button type="button" className="btn" data-testid="sandbox-try" disabled={busy} onClick={trySandbox}>
                {t("accounts.try_sandbox")}
              </button>
            )}
            <button type="button" className="btn primary" data-testid="account-add" onClick={() => setMode({ kind: "add" })} {...shortcutProps(t, "main")}>
              {t("accounts.add")}
            </button>
          </div>
        )}
      </div>
      {error && <ErrorBox error={error} />}
      {accounts && accounts.length === 0 && (
        <EmptyState
          icon="accounts"
          title={t("screens.accounts.empty_title")}
          body={t("screens.accounts.empty_body")}
          testId="accounts-empty"
          action={
            <div className="row">
              <button type="button" className="btn primary" data-testid="sandbox-try" disabled={busy} onClick={trySandbox}>
                {t("accounts.try_sandbox")}
              </button>
              <button type="button" className="btn" data-testid="account-add" onClick={() => setMode({ kind: "add" })}>
                {t("accounts.add")}
              </button>
            </div>
          }
        />
      )}
      {groups.map(({ d, items }) => (
        <section className="group" key={d.id} data-testid={`accounts-group-${d.id}`}>
          <h2 className="group-title">{d.display_name}</h2>
          <div className="cards">
            {items.map((a) => (
              <AccountCard
                key={a.id}
                account={a}
                descriptor={d}
                access={access}
                onEdit={() => setMode({ kind: "edit", account: a })}
                onDeleted={done}
                onRestored={done}
              />
            ))}
          </div>
        </section>
      ))}
    </>
  );
}

function AccountCard(props: {
  account: AccountView;
  descriptor: ProviderDescriptor;
  /** What this member may do with the shared accounts (null: unknown, everything is offered). */
  access: TeamAccess | null;
  onEdit: () => void;
  onDeleted: () => void;
  /** The delete was undone: the account is back. */
  onRestored: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const a = props.account;
  const [test, setTest] = useState<TestResult | null>(null);
  const [testError, setTestError] = useState<CoreError | null>(null);
  const [testing, setTesting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const [deleteError, setDeleteError] = useState<CoreError | null>(null);
  // This member's role on a shared account, when the team database said it.
  const role = a.team_account_id !== null ? props.access?.roles.get(a.team_account_id) : undefined;
  // Only the account's admins edit, delete or share it; anyone else would only meet the core's refusal.
  const managedByAdmins = role !== undefined && role !== "admin";
  const shareWith = role === "admin" ? (props.access?.others ?? []) : [];

  const publicFields = useMemo(
    () => props.descriptor.account_fields.filter((f) => !f.secret && f.name !== "base_url"),
    [props.descriptor],
  );

  const secretLabel = (name: string) => {
    const f = props.descriptor.account_fields.find((x) => x.name === name);
    return f ? t(f.label_key) : name;
  };

  const runTest = async () => {
    setTesting(true);
    setTest(null);
    setTestError(null);
    try {
      setTest(await api.testAccount(a.id));
    } catch (e) {
      if (isCoreError(e)) setTestError(e);
    } finally {
      setTesting(false);
    }
  };

  // The delete happens a few seconds later (or when the window closes); until then "Undo" brings it back.
  const remove = async () => {
    const label = () => shownLabel(a.label);
    const { onDeleted, onRestored } = props;
    try {
      const undoUntilMs = await api.deleteAccount(a.id);
      const undo = async () => {
        const back = await api.undoDeleteAccount(a.id).catch(() => false);
        toast(
          back
            ? { testId: "account-restored", message: () => t("toast.account_restored", { label: label() }) }
            : { testId: "account-undo-late", message: () => t("toast.undo_too_late", { label: label() }) },
        );
        onRestored();
      };
      toast({ testId: "account-deleted", message: () => t("toast.account_deleted", { label: label() }), undo, undoUntilMs });
      onDeleted();
    } catch (e) {
      if (isCoreError(e)) setDeleteError(e);
    }
  };

  return (
    <article className={`account-card env-border-${a.environment}`} data-testid={`account-${a.id}`} data-label={a.label}>
      <header className="account-head">
        <div>
          <div className="account-label">{shownLabel(a.label)}</div>
          <div className="account-url mono">{a.environment === "sandbox" ? t("accounts.builtin_sandbox") : a.base_url}</div>
        </div>
        <EnvPill environment={a.environment} />
      </header>
      {a.secrets_need_reentry && (
        <div className="reentry" data-testid="reentry-badge">
          <span className="pill reentry-pill">{t("accounts.secrets_need_reentry")}</span>
          <span className="field-help">{t("accounts.reentry_help")}</span>
        </div>
      )}
      <dl className="facts compact">
        {publicFields.map((f) => (
          <FactRow key={f.name} label={t(f.label_key)} value={factText(f, a.fields[f.name])} testId={`fact-${f.name}`} />
        ))}
        {a.secrets.map((s) => (
          <FactRow
            key={s.name}
            label={secretLabel(s.name)}
            value={
              s.needs_reentry
                ? t("accounts.secret_needs_reentry")
                : s.set
                  ? t("accounts.secret_saved")
                  : a.team_account_id !== null
                    ? t("accounts.secret_not_shared")
                    : t("accounts.secret_not_set")
            }
            testId={`secret-state-${s.name}`}
          />
        ))}
        {a.certificate_fingerprint && (
          <FactRow label={t("accounts.fingerprint")} value={a.certificate_fingerprint} mono testId="cert-fingerprint" />
        )}
        {a.notes && <FactRow label={t("accounts.notes")} value={a.notes} />}
      </dl>
      <div className="row">
        <button type="button" className="btn" data-testid="account-test" onClick={runTest} disabled={testing}>
          {testing ? t("accounts.testing") : t("accounts.test")}
        </button>
        {!managedByAdmins && (
          <button type="button" className="btn" data-testid="account-edit" onClick={props.onEdit}>
            {t("accounts.edit")}
          </button>
        )}
        {/* Only what this member holds can be shared on. */}
        {shareWith.length > 0 && a.secrets.some((x) => x.set) && <ShareAccount account={a} members={shareWith} />}
        {a.team_account_id !== null && <AccountRules account={a} />}
        {!managedByAdmins && (
          <button type="button" className="btn danger-outline" data-testid="account-delete" onClick={() => setConfirming(true)}>
            {t("accounts.delete")}
          </button>
        )}
      </div>
      {managedByAdmins && (
        <p className="field-help account-managed" data-testid="account-managed">
          {t("accounts.managed_by_admins")}
        </p>
      )}
      {test && (
        <div className={`inline-result ${test.supported ? (test.ok ? "ok" : "bad") : "neutral"}`} data-testid="test-result" data-ok={String(test.ok)}>
          {!test.supported
            ? t(test.unsupported_key ?? "accounts.test_failed")
            : test.ok
              ? t("accounts.test_ok", { ms: test.duration_ms })
              : t("accounts.test_failed")}
          {test.error && <ErrorBox error={test.error} compact />}
        </div>
      )}
      {testError && <ErrorBox error={testError} compact />}
      {confirming && (
        <div className="confirm" data-testid="delete-confirm">
          <p>{t("accounts.delete_confirm", { label: a.label })}</p>
          <input value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="delete-typed" aria-label={t("accounts.delete_type")} />
          <NameDifference typed={typed} expected={a.label} />
          <div className="row">
            <button type="button" className="btn danger" disabled={compareNames(typed, a.label).kind !== "same"} data-testid="delete-confirm-button" onClick={remove}>
              {t("accounts.delete_final")}
            </button>
            <button type="button" className="btn" onClick={() => { setConfirming(false); setTyped(""); }}>
              {t("common.cancel")}
            </button>
          </div>
          {deleteError && <ErrorBox error={deleteError} compact />}
        </div>
      )}
    </article>
  );
}

/** What differs between a typed name and the account's (dash style, spacing and case never do). */
function NameDifference(props: { typed: string; expected: string }) {
  const { t } = useTranslation();
  const check = compareNames(props.typed, props.expected);
  if (check.kind === "same") return <span className="field-ok" data-testid="delete-typed-ok">{t("accounts.name_matches")}</span>;
  if (check.kind !== "different") return null;
  return (
    <span className="field-error" data-testid="delete-typed-differs">
      {t("accounts.name_differs", { at: check.at, expected: check.expectedFrom })}
    </span>
  );
}

function FactRow({ label, value, mono, testId }: { label: string; value: string; mono?: boolean; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? "mono" : undefined} data-testid={testId}>
        {value}
      </dd>
    </>
  );
}

/** A stored account field as the card shows it: named ids as "name — id", lists with commas, "—" when empty. */
function factText(field: AccountField, value: unknown): string {
  const text = field.kind === "named_ids" ? readNamedIds(value).map(namedIdText).join(", ") : Array.isArray(value) ? value.join(", ") : String(value ?? "");
  return text || "—";
}
