//! Errors with stable codes. The API answers `{"code": "...", "message": "中文…"}`; pages show the
//! message. Codes never change meaning; `docs/api-errors.md` lists them (checked by a test).

use jingzhi_store::StoreError;
use serde::Serialize;

/// How an error maps onto HTTP (the web layer decides the status; the app only classifies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorKind {
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    Locked,
    RateLimited,
    Unavailable,
    Internal,
}

macro_rules! error_codes {
    ($($name:ident = ($code:literal, $kind:ident, $msg:literal)),+ $(,)?) => {
        /// A stable error code with its default Chinese message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $($name),+ }
        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),+];
            pub fn code(self) -> &'static str { match self { $(ErrorCode::$name => $code),+ } }
            pub fn kind(self) -> ErrorKind { match self { $(ErrorCode::$name => ErrorKind::$kind),+ } }
            pub fn message(self) -> &'static str { match self { $(ErrorCode::$name => $msg),+ } }
        }
    };
}

error_codes! {
    NotAuthenticated = ("not_authenticated", Unauthenticated, "请先登录"),
    BadCredentials = ("bad_credentials", Unauthenticated, "用户名或密码错误"),
    BadApiKey = ("bad_api_key", Unauthenticated, "接口密钥无效、已停用或已过期"),
    AccountLocked = ("account_locked", Locked, "登录失败次数过多，账户已被临时锁定"),
    AccountDisabled = ("account_disabled", Forbidden, "账户已停用，请联系系统管理员"),
    RateLimited = ("rate_limited", RateLimited, "尝试次数过多，请稍后再试"),
    PasswordChangeRequired = ("password_change_required", Forbidden, "首次登录或密码被重置后，须先修改密码"),
    Forbidden = ("forbidden", Forbidden, "无权进行此操作"),
    OutOfScope = ("out_of_scope", Forbidden, "该记录不在您的数据范围内"),
    CsrfFailed = ("csrf_failed", Forbidden, "页面已过期或来源不明，请刷新页面后重试"),
    NotFound = ("not_found", NotFound, "未找到该记录"),
    ValidationFailed = ("validation_failed", Invalid, "输入有误，请检查标红的项目"),
    WeakPassword = ("weak_password", Invalid, "新密码不符合要求"),
    WrongPassword = ("wrong_password", Invalid, "当前密码不正确"),
    Conflict = ("conflict", Conflict, "与已有记录重复"),
    GateRefused = ("gate_refused", Invalid, "不符合办案程序的法定条件"),
    StaleCase = ("stale_case", Conflict, "案件已被他人修改，请刷新后重试"),
    DocumentTampered = ("document_tampered", Internal, "文书内容与签发时的哈希值不一致，可能已被篡改"),
    ImportRejected = ("import_rejected", Invalid, "导入文件有错误，未导入任何数据"),
    BadRequest = ("bad_request", Invalid, "请求格式不正确"),
    PayloadTooLarge = ("payload_too_large", Invalid, "提交的内容过大"),
    DatabaseUnavailable = ("database_unavailable", Unavailable, "数据库暂时不可用，请稍后再试"),
    Internal = ("internal_error", Internal, "系统内部错误，已记录，请联系系统管理员"),
}

/// A field-level problem in a form or request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.code())]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> AppError {
        AppError {
            code,
            message: code.message().to_string(),
            fields: Vec::new(),
        }
    }
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
    /// A validation failure with per-field messages.
    pub fn fields(fields: Vec<FieldError>) -> AppError {
        let message = match fields.as_slice() {
            [one] => one.message.clone(),
            _ => ErrorCode::ValidationFailed.message().to_string(),
        };
        AppError {
            code: ErrorCode::ValidationFailed,
            message,
            fields,
        }
    }
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::fields(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
    pub fn kind(&self) -> ErrorKind {
        self.code.kind()
    }
    pub fn field_message(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::new(ErrorCode::NotFound),
            StoreError::Conflict(what) => {
                tracing::debug!(%what, "unique constraint");
                AppError::new(ErrorCode::Conflict)
            }
            StoreError::ForeignKey(what) => AppError::with_message(
                ErrorCode::ValidationFailed,
                format!("引用的记录不存在或仍被引用（{what}）"),
            ),
            StoreError::Unavailable(what) => {
                tracing::error!(%what, "database unavailable");
                AppError::new(ErrorCode::DatabaseUnavailable)
            }
            StoreError::Refused(what) | StoreError::Other(what) => {
                tracing::error!(%what, "database error");
                AppError::new(ErrorCode::Internal)
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Collects field errors while validating a form.
#[derive(Default)]
pub struct Check(Vec<FieldError>);

impl Check {
    pub fn new() -> Check {
        Check(Vec::new())
    }
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }
    /// Records `Err(msg)` against a field.
    pub fn result(&mut self, field: &str, r: Result<(), String>) {
        if let Err(m) = r {
            self.fail(field, m);
        }
    }
    pub fn required(&mut self, field: &str, value: &str, label: &str) {
        if value.trim().is_empty() {
            self.fail(field, format!("请填写{label}"));
        }
    }
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::fields(self.0))
        }
    }
}
