//! Descriptor types: what the UI needs to draw account and operation forms, as plain data.

use super::{HttpMethod, ProviderId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// The kind of an input field; the UI picks a widget and a client-side check from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum FieldKind {
    /// Free text on one line.
    Text,
    /// An `http(s)://` URL (https required except loopback).
    Url,
    /// A whole number (JSON integer; a digit string is accepted too).
    Integer,
    /// Unix time in seconds (10 digits).
    UnixSeconds,
    /// Unix time in milliseconds (13 digits).
    UnixMillis,
    /// One of `choices`.
    Choice,
    /// Any number of `choices` (none, some or all), sent as a JSON array in the order of `choices`.
    ChoiceList,
    /// A list of whole numbers (JSON array, or text separated by commas/whitespace).
    IntegerList,
    /// A list of strings (JSON array, or text separated by commas/whitespace).
    TextList,
    /// A secret typed once and never shown again.
    Secret,
    /// A PEM or base64 DER private key (secret).
    PrivateKey,
    /// A PEM X.509 certificate.
    Certificate,
}

/// One field of a merchant account.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountField {
    /// JSON key in the account file, e.g. `wallet_id`.
    pub name: String,
    /// Stored in the vault, write-only after saving.
    pub secret: bool,
    pub kind: FieldKind,
    pub required: bool,
    /// Translatable label key, e.g. `accounts.cybavo.wallet_id.label`.
    pub label_key: String,
    /// Translatable help key, e.g. `accounts.cybavo.wallet_id.help`.
    pub help_key: String,
    /// Allowed values for `choice` fields.
    pub choices: Vec<String>,
    /// Translatable labels of `choices` (`<choices_key>.<choice>`); `None`: the values are shown as they are
    /// (`v1`, `v2`).
    pub choices_key: Option<String>,
    /// Production default, if the provider has one.
    pub default: Option<String>,
    /// A `required` field that accounts whose public field holds one of these values may leave empty (a
    /// wallet id for an API code that reads every wallet it may).
    pub optional_when: Option<OnlyWhen>,
    /// A warning shown when a saved secret is about to be replaced (e.g. a new CYBAVO API code is activated
    /// on first use and retires the current one): a translation key.
    pub replace_warning_key: Option<String>,
}

/// One input of an operation form.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FormField {
    /// The param key as sent to the provider (key order in params is kept).
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
    pub label_key: String,
    /// e.g. `ops.cybavo.notification_id.help`.
    pub help_key: String,
    pub choices: Vec<String>,
    /// Translatable labels of `choices`: `<choices_key>.<choice>`.
    pub choices_key: String,
    /// Value the provider assumes when the field is left out.
    #[ts(type = "unknown")]
    pub default: Option<Value>,
    /// The value that makes the operation *broad* (touches many callbacks), e.g. CYBAVO
    /// `notification_id = 0` (all) or CCPayment `webhook_result = "All Result"`. The UI asks for an extra
    /// confirmation when the field holds it.
    #[ts(type = "unknown")]
    pub broad: Option<Value>,
    /// What the `broad` value means, in words (a translation key), e.g. "every pending or failed callback".
    pub broad_label_key: Option<String>,
    /// Largest number of list items or numeric maximum, when documented.
    pub max: Option<i64>,
    /// Values of a shape this operation never accepts in the field (each item of a list is checked).
    pub refuse: Vec<Refusal>,
    /// A `required` field may be left empty when one of these fields is filled (a time window that a list
    /// of record ids replaces).
    pub optional_with: Vec<String>,
}

/// A shape of value a field refuses, and why. The window checks it as the core does
/// ([`super::check_refusals`]), so the same field error shows before anything is sent.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Refusal {
    /// A regular expression in the syntax JavaScript and Rust's `regex` read alike (anchors, ASCII
    /// classes such as `[0-9]`, counts), searched in the trimmed value: anchor it (`^…$`) to describe a
    /// whole value.
    pub pattern: String,
    /// The reason of the field error (`input.invalid`), translated as `reasons.<reason>`.
    pub reason: String,
}

/// What an operation does to the provider's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum OperationKind {
    /// Triggers deliveries to the merchant's production endpoint: confirm first.
    Resend,
    /// Read-only.
    Lookup,
    /// A check the provider runs for the merchant without changing anything it holds (e.g. it calls the
    /// merchant's endpoint and reports what it answered). Offered beside the resends as a secondary
    /// action and run without asking anything: its fields are optional and the provider fills them.
    Probe,
    /// Obtains a credential (Avista token).
    Auth,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct OperationDescriptor {
    /// CLI/command name, e.g. `resend-withdrawal-callbacks`.
    pub name: String,
    pub method: HttpMethod,
    pub kind: OperationKind,
    /// `ops.<provider>.<operation>.label`.
    pub label_key: String,
    pub help_key: String,
    pub fields: Vec<FormField>,
    /// Offered only to accounts whose public field holds one of these values (CCPayment's API version, a
    /// CYBAVO read-only code); `None`: to every account of the provider.
    pub only_when: Option<OnlyWhen>,
    /// Documented provider quota, shown next to the button (e.g. "1 per minute, 25 per day"): a
    /// translation key.
    pub rate_limit_key: Option<String>,
    /// How the operation runs as a bulk job, when it can.
    pub bulk: Option<BulkShape>,
    /// When a resend's confirmation must be the stronger one, besides a field holding its `broad` value.
    pub confirm: Vec<ConfirmRule>,
    /// How a look-up's results are shown, when it is one.
    pub lookup: Option<LookupShape>,
    /// The provider is retiring it (shown as such; still usable).
    pub deprecated: bool,
    /// Where params travel in the URL path, when it is not only the last segment: the end of the path
    /// with `{param}` in place of each (e.g. `/notifications/{notificationId}/resend`), so History's
    /// Repeat reads them back from a recorded request.
    pub path: Option<String>,
    /// A look-up whose rows each have a detail of their own, read by another look-up when the row is
    /// opened (a notification's delivery attempts).
    pub row_detail: Option<RowDetail>,
    /// A look-up answered a page at a time, with a cursor for the next page.
    pub paging: Option<CursorPaging>,
    /// A resend the provider accepts as a job of its own, done later: how to follow its progress.
    pub follow: Option<FollowShape>,
}

/// The detail of a look-up's row: the look-up `operation` called with its param `param` set to the row's
/// field `from`, its rows (the first of `rows` holding a list) shown in `columns` under the row.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RowDetail {
    pub operation: String,
    pub param: String,
    pub from: String,
    /// What the detail is, for the button that opens it (a translation key), e.g. "Delivery attempts".
    pub label_key: String,
    pub rows: Vec<String>,
    pub columns: Vec<Column>,
    /// What to say when the detail has no rows (a translation key).
    pub empty_key: String,
}

/// Paging by cursor: the answer's field `next` holds the cursor of the next page (absent, null or empty
/// on the last one), sent back in the param `param` with the same other params.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CursorPaging {
    pub next: String,
    pub param: String,
}

/// Following a job a resend started at the provider: the look-up `operation`, called with its param
/// `param` set to the resend result's field `from` (the job's id), every `every_seconds` until its
/// `state` field holds one of `finished`; `done` of `total` is its progress.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FollowShape {
    pub operation: String,
    pub param: String,
    pub from: String,
    pub state: String,
    pub done: String,
    pub total: String,
    /// States after which the job changes no more.
    pub finished: Vec<String>,
    /// Those of `finished` that mean it did not do its work.
    pub failed: Vec<String>,
    /// The states' labels: `<state_prefix>.<state>`.
    pub state_prefix: String,
    pub every_seconds: u32,
}

/// An operation offered only to accounts whose public field `field` holds one of `values`; a field left
/// out counts as its account field's `default`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct OnlyWhen {
    pub field: String,
    pub values: Vec<String>,
}

impl OnlyWhen {
    pub fn new(field: &str, values: &[&str]) -> OnlyWhen {
        OnlyWhen { field: field.to_owned(), values: values.iter().map(|v| (*v).to_owned()).collect() }
    }

    /// Whether an account with these public fields (and these account field defaults) matches.
    pub fn matches(&self, public: &serde_json::Map<String, Value>, fields: &[AccountField]) -> bool {
        let value = match public.get(&self.field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => fields.iter().find(|f| f.name == self.field).and_then(|f| f.default.clone()),
        };
        value.is_some_and(|v| self.values.contains(&v))
    }
}

/// How an operation runs as a bulk job: over a time window, over a list of ids, once per value of a
/// choice, or a combination.
#[derive(Debug, Clone, PartialEq, Default, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct BulkShape {
    /// A time window the calls cover (`since`/`until` of the plan).
    pub window: Option<WindowShape>,
    /// A list of ids, each sent in its own call (or `per_call` at a time).
    pub ids: Option<IdsShape>,
    /// One call per value chosen.
    pub each: Option<EachShape>,
    /// Fields of the single-call form the bulk form replaces (hidden in bulk mode).
    pub owns: Vec<String>,
    /// The bulk mode's name and its explanation (translation keys).
    pub label_key: String,
    pub help_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct WindowShape {
    /// Whether the window has an end (Ceffu resends everything from `since` on).
    pub has_end: bool,
    /// The longest one call covers, in seconds (the job splits longer windows), when limited.
    #[ts(type = "number | null")]
    pub max_seconds_per_call: Option<i64>,
    /// How far back the provider accepts a start, in milliseconds, when limited.
    #[ts(type = "number | null")]
    pub max_age_ms: Option<i64>,
    /// How the provider takes the window, in words (a translation key).
    pub help_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct IdsShape {
    /// The plan's param that carries the list (e.g. `serials`).
    pub field: String,
    /// `integer_list` or `text_list`.
    pub kind: FieldKind,
    /// Translatable label of the list, e.g. `bulk.ids.cybavo`.
    pub label_key: String,
    /// Ids sent per call.
    #[ts(type = "number")]
    pub per_call: u32,
    /// The plan without a list covers everything this says (CYBAVO: every pending or failed callback):
    /// a translatable label key; `None` when a list is required.
    pub all_label_key: Option<String>,
    /// What to say when the list is empty or holds something else (a translation key).
    pub empty_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct EachShape {
    /// The plan's param that carries the values chosen (e.g. `eventTypes`).
    pub field: String,
    /// The single-call field the values are for (its choices and their labels).
    pub of_field: String,
    /// The list's name (a translation key), e.g. "Event types".
    pub label_key: String,
    /// What to say when no value is chosen (a translation key).
    pub empty_key: String,
}

/// When a resend needs the stronger confirmation (besides a production account and a `broad` value).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum ConfirmRule {
    /// A time field reaches further back than this many milliseconds.
    OlderThan {
        field: String,
        #[ts(type = "number")]
        ms: i64,
        /// Translatable reason key (`confirm.reason.*`).
        reason: String,
    },
    /// A field is filled in (e.g. a one-off destination URL).
    Filled { field: String, reason: String },
    /// Always: the operation itself resends everything of a kind (every failed webhook).
    Always { reason: String },
}

/// How a look-up's results are shown: where the rows are, what identifies one, the columns, and how a
/// row is resent.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct LookupShape {
    /// The look-up's short name, for its tab (a translation key), e.g. "By serial number".
    pub label_key: String,
    /// Keys of the result that hold the rows: a list, or one object (tried in order).
    pub rows: Vec<String>,
    /// The row field that identifies it (e.g. `serial`).
    pub id: String,
    /// The param carrying the ids asked for, when the look-up is by ids (missing ones are `not_found`).
    pub asked: Option<String>,
    /// Ids the provider answers per call; more are looked up as a job.
    pub max_ids_per_call: Option<u32>,
    pub columns: Vec<Column>,
    /// How one row is resent, when it can be.
    pub resend: Option<RowResend>,
    /// The columns a results file adds for each row, after the common ones.
    pub file_columns: Vec<FileColumn>,
    /// How many rows were found, in words (a translation key taking `n`), e.g. "{{n}} callbacks found".
    pub found_key: String,
    /// What to say when nothing was found (a translation key), e.g. "No callback matched."
    pub none_key: String,
    /// What the look-up says of the provider's delivery of each row to the merchant's server, when the
    /// provider documents it either way.
    #[ts(optional = nullable)]
    pub delivery: Option<Delivery>,
}

/// What a look-up says of whether the provider's delivery of a row (a callback, a webhook) to the
/// merchant's server failed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Delivery {
    /// The row field `field` holds `delivered`, `failed` or `retrying`; any other value, or none, is not
    /// known.
    Reported { field: String },
    /// The provider's look-ups do not say; `note_key` (a translation key) says what to do instead.
    NotReported { note_key: String },
}

/// A column of a look-up's results file: its header, and the first non-empty of these row fields.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FileColumn {
    pub header: String,
    pub keys: Vec<String>,
    pub format: ColumnFormat,
}

pub(crate) fn file_column(header: &str, keys: &[&str], format: ColumnFormat) -> FileColumn {
    FileColumn { header: header.to_owned(), keys: keys.iter().map(|k| (*k).to_owned()).collect(), format }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Column {
    /// The row fields shown: the first one that is present and not empty.
    pub keys: Vec<String>,
    pub label_key: String,
    pub format: ColumnFormat,
    /// Among the columns that matter first (kept on narrow windows).
    pub primary: bool,
    pub look: CellLook,
}

/// How a column's cells look.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum CellLook {
    Plain,
    /// An identifier or code: fixed-width characters, cut with an ellipsis when long.
    Code,
    /// An amount: fixed-width characters, aligned right.
    Amount,
    /// A status pill, coloured by the row field `tone` (`succeeded`, `failed` or `pending`).
    Status {
        tone: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum ColumnFormat {
    Text,
    /// A code translated as `<prefix>.<value>`.
    Label {
        prefix: String,
    },
    UnixSeconds,
    UnixMillis,
}

/// Resending one row: the operation named by the row field `operation_field`, with the param `param` set
/// to the row's field `from`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RowResend {
    pub operation_field: String,
    pub param: String,
    pub from: String,
}

/// A documented base URL the account form offers: a production API (per API version, brand or region) or
/// a provider's own test environment.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct BaseUrlPreset {
    /// Translatable name, e.g. `accounts.avista.preset.firebanking`.
    pub label_key: String,
    pub url: String,
    /// A production API (the account's environment is then `production`).
    pub production: bool,
    /// For accounts whose public field holds one of these values only.
    pub only_when: Option<OnlyWhen>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ProviderDescriptor {
    pub id: ProviderId,
    /// The brand name, as every language writes it.
    pub display_name: String,
    pub account_fields: Vec<AccountField>,
    pub operations: Vec<OperationDescriptor>,
    /// Documented base URLs, the first production one matching an account being its default.
    pub base_urls: Vec<BaseUrlPreset>,
}

impl ProviderDescriptor {
    /// The documented production base URL for an account with these public fields, if there is one.
    pub fn production_base_url(&self, public: &serde_json::Map<String, Value>) -> Option<String> {
        self.base_urls
            .iter()
            .find(|p| p.production && p.only_when.as_ref().is_none_or(|w| w.matches(public, &self.account_fields)))
            .map(|p| p.url.clone())
    }

    /// The first operation called `name` (whatever account it is offered to).
    pub fn operation_named(&self, name: &str) -> Option<&OperationDescriptor> {
        self.operations.iter().find(|o| o.name == name)
    }

    /// The operation `name` as offered to an account with these public fields.
    pub fn operation_for(&self, name: &str, public: &serde_json::Map<String, Value>) -> Option<&OperationDescriptor> {
        self.operations
            .iter()
            .find(|o| o.name == name && o.only_when.as_ref().is_none_or(|w| w.matches(public, &self.account_fields)))
    }
}

// ---- small builders used by the provider descriptors ----

pub(crate) fn account_field(provider: &str, name: &str, kind: FieldKind, secret: bool, required: bool) -> AccountField {
    AccountField {
        name: name.to_owned(),
        secret,
        kind,
        required,
        label_key: format!("accounts.{provider}.{name}.label"),
        help_key: format!("accounts.{provider}.{name}.help"),
        choices: Vec::new(),
        choices_key: None,
        default: None,
        optional_when: None,
        replace_warning_key: None,
    }
}

pub(crate) fn form_field(provider: &str, name: &str, kind: FieldKind, required: bool) -> FormField {
    FormField {
        name: name.to_owned(),
        kind,
        required,
        label_key: format!("ops.{provider}.{name}.label"),
        help_key: format!("ops.{provider}.{name}.help"),
        choices: Vec::new(),
        choices_key: format!("choices.{provider}.{name}"),
        default: None,
        broad: None,
        broad_label_key: None,
        max: None,
        refuse: Vec::new(),
        optional_with: Vec::new(),
    }
}

pub(crate) fn operation(
    provider: &str,
    name: &str,
    method: HttpMethod,
    kind: OperationKind,
    fields: Vec<FormField>,
) -> OperationDescriptor {
    OperationDescriptor {
        name: name.to_owned(),
        method,
        kind,
        label_key: format!("ops.{provider}.{name}.label"),
        help_key: format!("ops.{provider}.{name}.help"),
        fields,
        only_when: None,
        rate_limit_key: None,
        bulk: None,
        confirm: Vec::new(),
        lookup: None,
        deprecated: false,
        path: None,
        row_detail: None,
        paging: None,
        follow: None,
    }
}

impl FormField {
    pub(crate) fn choices(mut self, c: &[&str]) -> Self {
        self.choices = c.iter().map(|s| (*s).to_owned()).collect();
        self
    }
    pub(crate) fn default(mut self, v: impl Into<Value>) -> Self {
        self.default = Some(v.into());
        self
    }
    /// The value that makes the operation broad, and what it means in words (a translation key).
    pub(crate) fn broad(mut self, v: impl Into<Value>, label_key: &str) -> Self {
        self.broad = Some(v.into());
        self.broad_label_key = Some(label_key.to_owned());
        self
    }
    pub(crate) fn max(mut self, m: i64) -> Self {
        self.max = Some(m);
        self
    }
    /// Required unless one of `fields` is filled.
    pub(crate) fn optional_with(mut self, fields: &[&str]) -> Self {
        self.optional_with = fields.iter().map(|f| (*f).to_owned()).collect();
        self
    }
    /// Refuses values matching `pattern` (see [`Refusal`]) with `reason`.
    pub(crate) fn refuse(mut self, pattern: &str, reason: &str) -> Self {
        self.refuse.push(Refusal { pattern: pattern.to_owned(), reason: reason.to_owned() });
        self
    }
}

impl AccountField {
    pub(crate) fn choices(mut self, c: &[&str]) -> Self {
        self.choices = c.iter().map(|s| (*s).to_owned()).collect();
        self
    }
    /// Choices shown by their translated labels, `accounts.<provider>.<field>.choice.<value>`.
    pub(crate) fn labeled_choices(mut self, c: &[&str]) -> Self {
        self.choices_key = Some(format!("{}.choice", self.label_key.trim_end_matches(".label")));
        self.choices(c)
    }
    /// Required, except for accounts whose `field` holds one of `values`.
    pub(crate) fn optional_when(mut self, field: &str, values: &[&str]) -> Self {
        self.optional_when = Some(OnlyWhen::new(field, values));
        self
    }
    pub(crate) fn default(mut self, v: &str) -> Self {
        self.default = Some(v.to_owned());
        self
    }
    pub(crate) fn replace_warning(mut self, key: &str) -> Self {
        self.replace_warning_key = Some(key.to_owned());
        self
    }
}

impl OperationDescriptor {
    pub(crate) fn only_when(mut self, field: &str, values: &[&str]) -> Self {
        self.only_when = Some(OnlyWhen::new(field, values));
        self
    }
    pub(crate) fn rate_limit(mut self, key: &str) -> Self {
        self.rate_limit_key = Some(key.to_owned());
        self
    }
    pub(crate) fn bulk(mut self, shape: BulkShape) -> Self {
        self.bulk = Some(shape);
        self
    }
    pub(crate) fn confirm(mut self, rule: ConfirmRule) -> Self {
        self.confirm.push(rule);
        self
    }
    pub(crate) fn lookup(mut self, shape: LookupShape) -> Self {
        self.lookup = Some(shape);
        self
    }
    pub(crate) fn row_detail(mut self, detail: RowDetail) -> Self {
        self.row_detail = Some(detail);
        self
    }
    /// Paged by cursor: the answer's `next` field, sent back as the param `param`.
    pub(crate) fn paging(mut self, next: &str, param: &str) -> Self {
        self.paging = Some(CursorPaging { next: next.to_owned(), param: param.to_owned() });
        self
    }
    pub(crate) fn follow(mut self, follow: FollowShape) -> Self {
        self.follow = Some(follow);
        self
    }
    /// The end of its URL path, `{param}` in place of each param it carries (see the field).
    pub(crate) fn path(mut self, template: &str) -> Self {
        self.path = Some(template.to_owned());
        self
    }
    pub(crate) fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }
}

pub(crate) fn column(keys: &[&str], label_key: &str, format: ColumnFormat, primary: bool, look: CellLook) -> Column {
    Column {
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        label_key: label_key.to_owned(),
        format,
        primary,
        look,
    }
}

pub(crate) fn preset(provider: &str, name: &str, url: &str, production: bool) -> BaseUrlPreset {
    BaseUrlPreset {
        label_key: format!("accounts.{provider}.preset.{name}"),
        url: url.to_owned(),
        production,
        only_when: None,
    }
}

impl BaseUrlPreset {
    pub(crate) fn only_when(mut self, field: &str, values: &[&str]) -> Self {
        self.only_when = Some(OnlyWhen::new(field, values));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a descriptor's shapes name exists: the look-ups a row detail and a follow-up call are, with
    /// the params they set; only look-ups page.
    #[test]
    fn every_shape_names_operations_and_fields_of_its_provider() {
        for d in super::super::all() {
            let lookup_with = |name: &str, param: &str| {
                let op = d.operation_named(name).unwrap_or_else(|| panic!("{}: no operation {name}", d.id));
                assert_eq!(op.kind, OperationKind::Lookup, "{}: {name} is a look-up", d.id);
                assert!(op.fields.iter().any(|f| f.name == param), "{}: {name} takes {param}", d.id);
            };
            for op in &d.operations {
                if let Some(detail) = &op.row_detail {
                    assert!(op.lookup.is_some(), "{}: {} has rows", d.id, op.name);
                    lookup_with(&detail.operation, &detail.param);
                    assert!(!detail.columns.is_empty() && !detail.rows.is_empty());
                }
                if let Some(path) = &op.path {
                    for seg in path.split('/').filter(|s| s.starts_with('{')) {
                        let name = seg.trim_start_matches('{').trim_end_matches('}');
                        assert!(op.fields.iter().any(|f| f.name == name), "{}: {} has no field {name}", d.id, op.name);
                    }
                }
                if op.paging.is_some() {
                    assert!(op.lookup.is_some(), "{}: {} pages rows", d.id, op.name);
                }
                if let Some(follow) = &op.follow {
                    assert_eq!(op.kind, OperationKind::Resend, "{}: {} follows a resend", d.id, op.name);
                    lookup_with(&follow.operation, &follow.param);
                    assert!(follow.failed.iter().all(|s| follow.finished.contains(s)));
                    assert!(follow.every_seconds > 0);
                }
            }
        }
    }

    /// The registered providers' descriptors as the window receives them, written next to the generated
    /// bindings (and committed like them): the UI's tests draw the real providers from this file.
    #[test]
    fn descriptors_are_exported_for_the_ui_tests() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/bindings/providers.json");
        let json = serde_json::to_string_pretty(&super::super::all()).unwrap() + "\n";
        if std::fs::read_to_string(path).ok().as_deref() != Some(json.as_str()) {
            std::fs::write(path, json).unwrap();
        }
    }
}
