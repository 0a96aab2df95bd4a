//! 办案设置 — what officials maintain about the case procedure, as data with an admin path:
//! the thresholds of the gates (简易程序, 听证, 法制审核, 集体讨论; the `case_thresholds` setting,
//! TOML with the fields of [`Thresholds`]) and what the documents print about the bureau (复议机关,
//! 诉讼法院, 申请执行的法院, 缴款渠道; the `case_documents` setting, JSON). The statement period's
//! days are a clock rule (`statement_period`), edited with the other rules.

use crate::App;
use crate::actor::Actor;
use crate::audit::record;
use crate::cases::THRESHOLDS_KEY;
use crate::error::{AppError, AppResult, Check, ErrorCode};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::case::Thresholds;
use jingzhi_domain::case::sheet::CHANGNING_REVIEW_BODY;
use jingzhi_store::Conn;
use jingzhi_store::repo::settings;
use serde::{Deserialize, Serialize};

/// The `setting` key of [`CaseDocSettings`] (JSON).
pub const DOCS_KEY: &str = "case_documents";

/// What the documents of every case print about the bureau. An empty field prints as a blank to
/// fill by hand (nothing is invented).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseDocSettings {
    /// 行政复议机关 (default 上海市长宁区人民政府).
    pub review_body: String,
    /// 行政诉讼的人民法院 (Shanghai's cross-district jurisdiction decides which [U]; blank by default).
    pub court: String,
    /// 申请强制执行的人民法院 (blank by default).
    pub enforcement_court: String,
    /// 缴款: 指定银行, 户名, 账号, 电子缴款渠道.
    pub payment_bank: String,
    pub payment_account_name: String,
    pub payment_account_number: String,
    pub payment_electronic: String,
}

impl Default for CaseDocSettings {
    fn default() -> Self {
        CaseDocSettings {
            review_body: CHANGNING_REVIEW_BODY.into(),
            court: String::new(),
            enforcement_court: String::new(),
            payment_bank: String::new(),
            payment_account_name: String::new(),
            payment_account_number: String::new(),
            payment_electronic: String::new(),
        }
    }
}

impl CaseDocSettings {
    /// Each field's form name and Chinese label, in page order.
    pub const LABELS: [(&'static str, &'static str); 7] = [
        ("review_body", "行政复议机关"),
        ("court", "行政诉讼法院"),
        ("enforcement_court", "申请强制执行的法院"),
        ("payment_bank", "罚款缴纳银行"),
        ("payment_account_name", "收款户名"),
        ("payment_account_number", "收款账号"),
        ("payment_electronic", "电子缴款渠道"),
    ];

    /// A field's value by its form name (unknown names: empty).
    pub fn get(&self, name: &str) -> &str {
        match name {
            "review_body" => &self.review_body,
            "court" => &self.court,
            "enforcement_court" => &self.enforcement_court,
            "payment_bank" => &self.payment_bank,
            "payment_account_name" => &self.payment_account_name,
            "payment_account_number" => &self.payment_account_number,
            "payment_electronic" => &self.payment_electronic,
            _ => "",
        }
    }

    /// Sets a field by its form name (unknown names are ignored).
    pub fn set(&mut self, name: &str, value: &str) {
        let v = value.trim().to_string();
        match name {
            "review_body" => self.review_body = v,
            "court" => self.court = v,
            "enforcement_court" => self.enforcement_court = v,
            "payment_bank" => self.payment_bank = v,
            "payment_account_name" => self.payment_account_name = v,
            "payment_account_number" => self.payment_account_number = v,
            "payment_electronic" => self.payment_electronic = v,
            _ => {}
        }
    }
}

/// The settings in force, with the thresholds as the TOML an administrator edits.
#[derive(Debug, Clone)]
pub struct CaseSettings {
    pub thresholds: Thresholds,
    pub thresholds_toml: String,
    pub documents: CaseDocSettings,
}

pub(crate) fn doc_settings(c: &mut dyn Conn) -> AppResult<CaseDocSettings> {
    match settings::get(c, DOCS_KEY)? {
        Some(t) => serde_json::from_str(&t)
            .map_err(|e| AppError::with_message(ErrorCode::Internal, format!("办案文书设置有误：{e}"))),
        None => Ok(CaseDocSettings::default()),
    }
}

fn thresholds_toml(c: &mut dyn Conn) -> AppResult<String> {
    Ok(match settings::get(c, THRESHOLDS_KEY)? {
        Some(t) => t,
        None => toml::to_string(&Thresholds::default())
            .map_err(|e| AppError::with_message(ErrorCode::Internal, e.to_string()))?,
    })
}

impl App {
    /// The case settings (those who work on cases and administrators).
    pub fn case_settings(&self, a: &Actor) -> AppResult<CaseSettings> {
        a.require(Resource::CaseSetting, Action::View)?;
        self.store.read(|c| {
            let text = thresholds_toml(c)?;
            Ok(CaseSettings {
                thresholds: Thresholds::from_toml(&text).unwrap_or_default(),
                thresholds_toml: text,
                documents: doc_settings(c)?,
            })
        })
    }

    /// Replaces the case settings (district administrators). The thresholds are validated as a
    /// whole; a bad file is refused with the reason, on the `thresholds` field.
    pub fn update_case_settings(&self, a: &Actor, thresholds: &str, documents: &CaseDocSettings) -> AppResult<()> {
        a.require(Resource::CaseSetting, Action::Update)?;
        let mut ck = Check::new();
        if let Err(e) = Thresholds::from_toml(thresholds) {
            ck.fail("thresholds", e);
        }
        for (name, label) in CaseDocSettings::LABELS {
            if documents.get(name).chars().count() > 200 {
                ck.fail(name, format!("{label}不能超过200字"));
            }
        }
        if documents.review_body.trim().is_empty() {
            ck.fail("review_body", "请填写行政复议机关");
        }
        ck.finish()?;
        let now = self.now();
        let text = thresholds.trim().to_string() + "\n";
        let docs =
            serde_json::to_string(documents).map_err(|e| AppError::with_message(ErrorCode::Internal, e.to_string()))?;
        self.store.write(|c| {
            let before_t = thresholds_toml(c)?;
            let before_d = doc_settings(c)?;
            if before_t.trim() != text.trim() {
                settings::set(c, THRESHOLDS_KEY, &text, now)?;
                record(
                    c,
                    a,
                    now,
                    "case_settings.thresholds",
                    "setting",
                    THRESHOLDS_KEY,
                    Some(&before_t),
                    Some(&text),
                )?;
            }
            if before_d != *documents {
                settings::set(c, DOCS_KEY, &docs, now)?;
                record(
                    c,
                    a,
                    now,
                    "case_settings.documents",
                    "setting",
                    DOCS_KEY,
                    Some(&before_d),
                    Some(documents),
                )?;
            }
            Ok(())
        })
    }
}
