import { useTranslation } from "../i18n";
import type { AccountView, ProviderDescriptor } from "../api";
import { EnvPill } from "./EnvBadge";
import { accountTitle, shownLabel } from "../lib/account";
import { providerName } from "../lib/descriptors";

/** Choose the merchant account to act on; its name, provider and environment stay visible. */
export function AccountPicker(props: {
  accounts: AccountView[];
  descriptors: ProviderDescriptor[];
  value: number | null;
  onChange: (id: number) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const current = props.accounts.find((a) => a.id === props.value) ?? null;
  return (
    <div className="picker" data-testid={props.testId ?? "account-picker"}>
      <label className="field picker-field">
        <span className="field-label">{t("work.account")}</span>
        <select
          value={props.value ?? ""}
          data-testid="account-select"
          onChange={(e) => props.onChange(Number(e.target.value))}
        >
          {props.value === null && <option value="">{t("work.choose_account")}</option>}
          {props.accounts.map((a) => (
            <option key={a.id} value={a.id} data-label={a.label}>
              {accountTitle(a, providerName(props.descriptors, a.provider))} · {t(`env.${a.environment}`)}
            </option>
          ))}
        </select>
      </label>
      {current && (
        <div className={`picker-summary env-border-${current.environment}`} data-testid="account-summary">
          <div className="picker-summary-main">
            <div className="account-label" data-testid="picked-label" data-label={current.label}>
              {shownLabel(current.label)}
            </div>
            <div className="picker-provider">{providerName(props.descriptors, current.provider)}</div>
          </div>
          <EnvPill environment={current.environment} />
        </div>
      )}
    </div>
  );
}
