// The Query screen: look callbacks up with the look-ups the account's provider offers (a tab each), see
// them in the columns the descriptor names, and resend one from its row.
import { useEffect, useRef } from "react";
import { useTranslation } from "../i18n";
import type { AccountView, ProviderDescriptor } from "../api";
import { AccountPicker } from "../components/AccountPicker";
import { NoAccountsYet } from "../components/EmptyState";
import { ErrorBox } from "../components/ErrorBox";
import { OpForm } from "../components/OpForm";
import { JobsSection } from "../components/bulk/JobsPanel";
import { LookupJobProgress } from "../components/query/LookupJobProgress";
import { LookupResults } from "../components/query/LookupResults";
import { LookupTabs } from "../components/query/LookupTabs";
import { useLookup } from "../hooks/useLookup";
import type { ResendIntent } from "../hooks/useResendForm";
import { useScreenAccount, type ScreenAccountProps } from "../hooks/useScreenAccount";
import { useWorkspace } from "../hooks/useWorkspace";
import { descriptorOf, lookupOps, providerName } from "../lib/descriptors";
import { shortcutProps } from "../lib/shortcuts";
import { defaultValues, valuesFromParams } from "../lib/params";

/** Whether an account's provider offers any look-up. */
const canLookUp = (descriptors: ProviderDescriptor[], a: AccountView) => lookupOps(descriptorOf(descriptors, a.provider), a).length > 0;

/** A request to open Query on one look-up with its values (from "Check a callback"). */
export type QueryIntent = { accountId: number; operation: string; params: Record<string, unknown>; nonce: number };

export function QueryScreen(props: ScreenAccountProps & {
  intent?: QueryIntent | null;
  onGoToAccounts: () => void;
  onResend: (i: Omit<ResendIntent, "nonce">) => void;
  onSeeHistory: (id: number) => void;
  /** History filtered to one job. */
  onSeeJob?: (jobId: number) => void;
  /** History filtered to one account's resends. */
  onSeeResends?: (accountId: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const { accounts, descriptors, error: loadError } = useWorkspace();
  const account = useScreenAccount(accounts, props, (list) => list.find((a) => canLookUp(descriptors, a)) ?? list[0]);
  const lookup = useLookup(account, descriptors);
  const { op } = lookup;
  const appliedIntent = useRef<number | null>(null);
  useEffect(() => {
    const it = props.intent;
    if (!it || !accounts || !descriptors.length || appliedIntent.current === it.nonce) return;
    const a = accounts.find((x) => x.id === it.accountId);
    const o = a ? lookupOps(descriptorOf(descriptors, a.provider), a).find((x) => x.name === it.operation) : undefined;
    if (!a || !o) return;
    appliedIntent.current = it.nonce;
    props.onAccount(a);
    lookup.prefill(o.name, { ...defaultValues(o.fields), ...valuesFromParams(o.fields, it.params) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.intent, accounts, descriptors]);

  if (accounts === null) return <p className="screen-subtitle">{t("common.loading")}</p>;
  if (accounts.length === 0) return <NoAccountsYet screen="query" icon="search" onGoToAccounts={props.onGoToAccounts} />;

  const withLookups = descriptors.filter((d) => d.operations.some((o) => o.kind === "lookup" && o.lookup));
  const error = lookup.error ?? loadError;
  return (
    <>
      <p className="screen-subtitle">{t("screens.query.subtitle")}</p>
      <section className="card wide-card" data-testid="query-form">
        <AccountPicker
          accounts={accounts}
          descriptors={descriptors}
          value={account?.id ?? null}
          onChange={(id) => {
            props.onAccount(accounts.find((a) => a.id === id) ?? null);
            lookup.reset();
          }}
        />
        {account && !op ? (
          <div className="info-note" data-testid="query-unsupported">
            {t("query.unsupported", {
              provider: providerName(descriptors, account.provider),
              providers: withLookups.map((d) => d.display_name).join(", "),
            })}
          </div>
        ) : (
          op && account && (
            <>
              <LookupTabs ops={lookup.ops} op={op} onSelect={lookup.selectOp} />
              <p className="field-help">{t(op.help_key)}</p>
              <div data-shortcut="search">
                <OpForm fields={op.fields} values={lookup.values} errors={lookup.formErrors} onChange={lookup.setValues} account={account} />
              </div>
              {lookup.asJob && lookup.asked.perCall !== null && (
                <div className="info-note" data-testid="query-job-note">
                  {t("query.job_note", {
                    n: nf.format(lookup.asked.count),
                    calls: nf.format(Math.ceil(lookup.asked.count / lookup.asked.perCall)),
                    max: lookup.asked.perCall,
                    provider: providerName(descriptors, account.provider),
                  })}
                </div>
              )}
              <div className="row actions">
                <button type="button" className="btn primary" disabled={lookup.busy} onClick={lookup.search} data-testid="query-run" {...shortcutProps(t, "main")}>
                  {lookup.busy ? t("query.searching") : lookup.asJob ? t("query.search_job", { n: nf.format(lookup.asked.count) }) : t("query.search")}
                </button>
              </div>
            </>
          )
        )}
        {error && <ErrorBox error={error} testId="query-error" />}
      </section>

      {lookup.shown?.kind === "job" && !lookup.jobResults && <LookupJobProgress job={lookup.job} onCancel={lookup.cancelJob} />}

      <LookupResults
        lookup={lookup}
        account={account}
        descriptors={descriptors}
        onSeeResends={props.onSeeResends}
        onResend={(accountId, operation, params) => props.onResend({ accountId, operation, params })}
        onSeeHistory={props.onSeeHistory}
        onSeeJob={props.onSeeJob}
      />

      <JobsSection
        jobs={lookup.jobs}
        descriptors={descriptors}
        reload={lookup.reloadJobs}
        onSeeHistory={(id) => props.onSeeJob?.(id)}
        onShowResults={lookup.showJob}
      />
    </>
  );
}
