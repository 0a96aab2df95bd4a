//! Values and rows exchanged with both backends. SQL is written once with `$1…$n` placeholders
//! (PostgreSQL's positional parameters; SQLite reads them as named parameters `$1`, `$2`…).

use jiff::Timestamp;
use jingzhi_domain::time::{format_ts, parse_ts};

/// One SQL value. Instants travel as their fixed UTC text form (see `jingzhi_domain::time`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v as i64)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v as i64)
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(v as i64)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl From<Timestamp> for Value {
    fn from(v: Timestamp) -> Self {
        Value::Text(format_ts(v))
    }
}
impl From<jiff::civil::Date> for Value {
    fn from(v: jiff::civil::Date) -> Self {
        Value::Text(v.to_string())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        match v {
            Some(v) => v.into(),
            None => Value::Null,
        }
    }
}
impl<T: Into<Value> + Clone> From<&Option<T>> for Value {
    fn from(v: &Option<T>) -> Self {
        v.clone().into()
    }
}

/// Builds a `&[Value]` parameter list: `params![id, name, now]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::Value] };
    ($($v:expr),+ $(,)?) => { &[$($crate::Value::from($v)),+] as &[$crate::Value] };
}

/// One result row; columns are read by position, in the order of the SELECT list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> &Value {
        self.0.get(i).unwrap_or(&Value::Null)
    }
    pub fn is_null(&self, i: usize) -> bool {
        matches!(self.at(i), Value::Null)
    }
    pub fn i64(&self, i: usize) -> i64 {
        self.opt_i64(i).unwrap_or(0)
    }
    pub fn opt_i64(&self, i: usize) -> Option<i64> {
        match self.at(i) {
            Value::Int(v) => Some(*v),
            Value::Bool(b) => Some(*b as i64),
            Value::Real(f) => Some(*f as i64),
            Value::Text(s) => s.parse().ok(),
            _ => None,
        }
    }
    pub fn f64(&self, i: usize) -> Option<f64> {
        match self.at(i) {
            Value::Real(f) => Some(*f),
            Value::Int(v) => Some(*v as f64),
            _ => None,
        }
    }
    pub fn bool(&self, i: usize) -> bool {
        match self.at(i) {
            Value::Bool(b) => *b,
            Value::Int(v) => *v != 0,
            _ => false,
        }
    }
    pub fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match self.at(i) {
            Value::Text(s) => Some(s.clone()),
            Value::Int(v) => Some(v.to_string()),
            Value::Real(v) => Some(v.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    /// A text column without copying it: moved out of the row (left empty), for readers that
    /// build a value from each row once (a page of fifty clues has a thousand text columns).
    pub fn take_opt_text(&mut self, i: usize) -> Option<String> {
        match self.0.get_mut(i) {
            Some(Value::Text(s)) => Some(std::mem::take(s)),
            _ => self.opt_text(i),
        }
    }
    pub fn take_text(&mut self, i: usize) -> String {
        self.take_opt_text(i).unwrap_or_default()
    }
    /// A text column borrowed (`""` when NULL or not text), for codes parsed on the spot.
    pub fn str(&self, i: usize) -> &str {
        match self.at(i) {
            Value::Text(s) => s,
            _ => "",
        }
    }
    pub fn blob(&self, i: usize) -> Vec<u8> {
        match self.at(i) {
            Value::Blob(b) => b.clone(),
            Value::Text(s) => s.as_bytes().to_vec(),
            _ => Vec::new(),
        }
    }
    /// A stored instant. A malformed instant in the database is a bug, reported loudly.
    pub fn ts(&self, i: usize) -> Timestamp {
        self.opt_ts(i).expect("instant column is NULL")
    }
    pub fn opt_ts(&self, i: usize) -> Option<Timestamp> {
        match self.at(i) {
            Value::Text(s) => Some(parse_ts(s).unwrap_or_else(|e| panic!("{e}"))),
            _ => None,
        }
    }
    pub fn opt_date(&self, i: usize) -> Option<jiff::civil::Date> {
        match self.at(i) {
            Value::Text(s) => s.parse().ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_taken_out_of_a_row_or_read_as_text() {
        let mut r = Row(vec![Value::Text("油烟".into()), Value::Int(7), Value::Null]);
        assert_eq!(r.str(0), "油烟");
        assert_eq!(r.take_text(0), "油烟");
        assert_eq!(r.str(0), "", "moved out, not copied");
        assert_eq!(r.take_opt_text(1).as_deref(), Some("7"));
        assert_eq!(r.i64(1), 7, "a number is read, not taken");
        assert_eq!(r.take_opt_text(2), None);
        assert_eq!(r.str(2), "");
        assert_eq!(r.take_opt_text(9), None, "past the end");
    }

    #[test]
    fn rows_read_ints_from_bools_and_back() {
        let r = Row(vec![Value::Bool(true), Value::Int(0), Value::Null]);
        assert!(r.bool(0));
        assert!(!r.bool(1));
        assert_eq!(r.opt_i64(2), None);
        assert_eq!(r.i64(0), 1);
    }
}
