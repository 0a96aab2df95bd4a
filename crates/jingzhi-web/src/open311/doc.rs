//! One document tree, written as the spec's XML or as its JSON by the Spark convention: an element
//! whose children are all the same repeated element is a JSON array (`<services><service>…` ⇄
//! `[{…}]`, `<formats><format>…` ⇄ `["…"]`), an element with named children is an object, and a
//! text element is a string, number or boolean. Empty values are `null` in JSON and an empty
//! element (`<account_id/>`) in XML.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Named children, in order.
    Obj(Vec<(&'static str, Node)>),
    /// Repeated children of one element name.
    List(&'static str, Vec<Node>),
}

impl Node {
    /// A string, or null when empty (the spec: "empty == absent").
    pub fn text(s: impl Into<String>) -> Node {
        let s = s.into();
        if s.is_empty() { Node::Null } else { Node::Str(s) }
    }

    pub fn opt(s: Option<impl Into<String>>) -> Node {
        s.map(Node::text).unwrap_or(Node::Null)
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Str(s) => Value::String(s.clone()),
            Node::Int(i) => Value::from(*i),
            Node::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Node::Bool(b) => Value::Bool(*b),
            Node::Obj(fields) => Value::Object(fields.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect()),
            Node::List(_, items) => Value::Array(items.iter().map(Node::to_json).collect()),
        }
    }

    /// The XML document with this node as the root element `root`.
    pub fn to_xml(&self, root: &str) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        self.write_xml(root, 0, &mut out);
        out
    }

    fn write_xml(&self, tag: &str, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        match self {
            Node::Null => {
                let _ = writeln!(out, "{pad}<{tag}/>");
            }
            Node::Str(s) => {
                let _ = writeln!(out, "{pad}<{tag}>{}</{tag}>", escape(s));
            }
            Node::Int(i) => {
                let _ = writeln!(out, "{pad}<{tag}>{i}</{tag}>");
            }
            Node::Float(f) if f.is_finite() => {
                let _ = writeln!(out, "{pad}<{tag}>{f}</{tag}>");
            }
            Node::Float(_) => {
                let _ = writeln!(out, "{pad}<{tag}/>");
            }
            Node::Bool(b) => {
                let _ = writeln!(out, "{pad}<{tag}>{b}</{tag}>");
            }
            Node::Obj(fields) => {
                let _ = writeln!(out, "{pad}<{tag}>");
                for (k, v) in fields {
                    v.write_xml(k, depth + 1, out);
                }
                let _ = writeln!(out, "{pad}</{tag}>");
            }
            Node::List(item, items) => {
                if items.is_empty() {
                    let _ = writeln!(out, "{pad}<{tag}/>");
                    return;
                }
                let _ = writeln!(out, "{pad}<{tag}>");
                for v in items {
                    v.write_xml(item, depth + 1, out);
                }
                let _ = writeln!(out, "{pad}</{tag}>");
            }
        }
    }
}

/// Escapes text for an XML element, dropping the characters XML 1.0 cannot carry at all.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(escape("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("油烟\n扰民"), "油烟\n扰民");
    }

    #[test]
    fn lists_become_arrays_and_repeated_elements() {
        let n = Node::List(
            "service",
            vec![Node::Obj(vec![
                ("service_code", Node::text("catering_fumes")),
                ("metadata", Node::Bool(true)),
                ("keywords", Node::text("")),
            ])],
        );
        assert_eq!(
            n.to_json(),
            serde_json::json!([{"service_code": "catering_fumes", "metadata": true, "keywords": null}])
        );
        let x = n.to_xml("services");
        assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services>\n  <service>\n"));
        assert!(x.contains("    <service_code>catering_fumes</service_code>\n"));
        assert!(x.contains("    <metadata>true</metadata>\n    <keywords/>\n"));
        assert!(x.ends_with("</services>\n"));
        assert_eq!(
            Node::List("request", vec![]).to_xml("service_requests").lines().nth(1),
            Some("<service_requests/>")
        );
    }
}
