//! 文书 pages: a composed case document ([`jingzhi_domain::case::Document`]) as one A4 page.
//!
//! The page links `/assets/document.css` (the Content-Security-Policy allows no inline styles), so
//! a route can answer [`render_document`] as it is; [`render_document_standalone`] inlines the
//! stylesheet for a self-contained copy (a file to archive or to print to PDF outside the site).
//! No routes here: the case pages link to documents.

use askama::Template;
use jingzhi_domain::case::{Block, Document};

/// The print stylesheet of documents (served as `/assets/document.css`).
pub const DOCUMENT_CSS: &str = include_str!("../../assets/document.css");

#[derive(Template)]
#[template(path = "case_document.html")]
struct DocumentPage<'a> {
    doc: &'a Document,
    inline_css: Option<&'a str>,
    back_href: Option<&'a str>,
}

/// The document as an HTML page linking the print stylesheet, without navigation.
pub fn render_document(doc: &Document) -> askama::Result<String> {
    render_document_with_back(doc, None)
}

/// The same, with a screen-only "返回" link (hidden when printed).
pub fn render_document_with_back(doc: &Document, back_href: Option<&str>) -> askama::Result<String> {
    DocumentPage {
        doc,
        inline_css: None,
        back_href,
    }
    .render()
}

/// A self-contained copy: the stylesheet inlined (not for serving under the site's CSP).
pub fn render_document_standalone(doc: &Document) -> askama::Result<String> {
    DocumentPage {
        doc,
        inline_css: Some(DOCUMENT_CSS),
        back_href: None,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jingzhi_domain::case::sheet::{BLANK, CaseSheet, sample_sheet};
    use jingzhi_domain::case::{DocumentKind, compose};

    fn page(kind: DocumentKind, sheet: &CaseSheet) -> String {
        render_document(&compose(kind, sheet)).expect("the document renders")
    }

    #[test]
    fn every_kind_renders_as_an_a4_page() {
        let s = sample_sheet();
        for kind in DocumentKind::ALL {
            let html = page(*kind, &s);
            assert!(html.starts_with("<!doctype html>"), "{kind:?}");
            assert!(html.contains(r#"<link rel="stylesheet" href="/assets/document.css">"#));
            assert!(!html.contains("<style>"), "no inline style under the CSP");
            assert!(html.contains(&format!("<h1>{}</h1>", kind.label())), "{kind:?}");
            assert!(html.contains(r#"<p class="issuer">上海市长宁区天山路街道办事处</p>"#));
            assert!(html.contains(&format!(r#"data-kind="{}""#, kind.code())));
            assert!(html.contains(r#"<p class="number">"#));
            let form = matches!(
                kind,
                DocumentKind::FilingApproval
                    | DocumentKind::ClosingApproval
                    | DocumentKind::WithdrawalApproval
                    | DocumentKind::ServiceReceipt
            );
            assert_eq!(html.contains(r#"class="page form""#), form, "{kind:?}");
        }
    }

    #[test]
    fn the_decision_page_shows_the_key_texts() {
        let html = page(DocumentKind::PenaltyDecision, &sample_sheet());
        assert!(
            html.contains(r#"<p class="number">长宁天山罚字〔2026〕第0001号</p>"#),
            "{html}"
        );
        assert!(html.contains("罚款人民币壹仟伍佰元整（¥1,500）"));
        assert!(html.contains("百分之三加处罚款"));
        assert!(html.contains("六十日内向上海市长宁区人民政府申请行政复议"));
        assert!(html.contains("六个月内"));
        assert!(html.contains(
            r#"<div class="seal"><p>上海市长宁区天山路街道办事处</p><p>（印章）</p><p>2026年4月8日</p></div>"#
        ));
        assert!(html.contains(r#"<table class="fields plain">"#));
        assert!(html.contains(r#"<th scope="row">当事人</th><td>张三丰</td>"#));
    }

    #[test]
    fn forms_print_fields_and_opinions_as_bordered_tables() {
        let html = page(DocumentKind::FilingApproval, &sample_sheet());
        assert!(html.contains(r#"<table class="fields">"#));
        assert!(html.contains(r#"<th scope="row">案由</th><td>擅自占用物业共用部分</td>"#));
        assert!(html.contains(
            r#"<table class="opinion"><tr><th scope="row">审批意见</th><td><p class="opinion-text">同意立案</p>"#
        ));
        let receipt = page(DocumentKind::ServiceReceipt, &sample_sheet());
        assert!(receipt.contains(r#"<table class="grid">"#));
        assert!(receipt.contains("<td>行政处罚决定书</td><td>长宁天山罚字〔2026〕第0001号</td>"));
        assert!(receipt.contains(r#"<span class="label">受送达人签名（盖章）：</span>"#));
    }

    #[test]
    fn text_is_escaped_and_blanks_show() {
        let s = CaseSheet {
            facts: "<script>alert(1)</script>".into(),
            ..CaseSheet::default()
        };
        let html = page(DocumentKind::PriorNotice, &s);
        assert!(!html.contains("<script>"));
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{html}"
        );
        assert!(html.contains(BLANK));
    }

    #[test]
    fn the_standalone_copy_inlines_the_print_css() {
        let doc = compose(DocumentKind::PenaltyDecision, &sample_sheet());
        let html = render_document_standalone(&doc).unwrap();
        assert!(html.contains("<style>"));
        assert!(html.contains("@page { size: A4; margin: 25mm 20mm; }"));
        assert!(html.contains("FangSong"));
        assert!(html.contains("display: none !important"), "navigation hidden in print");
        assert!(!html.contains(r#"<link rel="stylesheet""#));
        let back = render_document_with_back(&doc, Some("/cases/1")).unwrap();
        assert!(back.contains(r#"<nav class="doc-nav no-print" aria-label="文书导航"><a href="/cases/1">返回</a>"#));
    }
}
