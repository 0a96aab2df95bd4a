//! The case pages over HTTP: opening a case from a verified clue (and a refused form keeping what
//! was typed), a refused step showing its article, evidence with a file (hash-verified download,
//! audited), an issued document as an A4 page, the Excel export and the public publicity page.

use crate::support::*;
use jingzhi_app::Actor;
use jingzhi_app::clues::{NewClue, Step};
use jingzhi_domain::clue::{Channel, ClueAction, Verification};
use jingzhi_domain::role::Role;

pub const PARTY_ID: &str = "11010519491231002X";

fn actor(s: &TestServer, role: Role) -> Actor {
    let a = s.account(role);
    let session = s.app.login(&a.username, &a.password, "127.0.0.1", None).unwrap();
    s.app.session_actor(&session.token).unwrap().unwrap()
}

/// A street-vending clue in the team leader's street, verified as 属实 by the team's officer.
pub fn verified_clue(s: &TestServer) -> (i64, String) {
    let d = actor(s, Role::Dispatcher);
    let lead = actor(s, Role::TeamLeader);
    let officer = actor(s, Role::Officer);
    let mut nc = NewClue::new(
        Channel::Patrol,
        "定西路100号门前有人摆摊卖水果，占用人行道",
        "长宁区定西路100号",
    );
    nc.matter_code = Some("street_vending".into());
    let k = s.app.register_clue(&d, &nc).unwrap().clue;
    let go = |who: &Actor, a: ClueAction, p: Step| s.app.clue_step(who, k.id, a, &p).unwrap();
    let street = lead.org.street_code.as_ref().map(|x| x.to_string());
    let now = s.app.clue_view(&d, k.id).unwrap().clue;
    if now.street_code.map(|x| x.to_string()) != street {
        go(
            &d,
            ClueAction::Relocate,
            Step {
                street_code: street,
                reason: "定位到本街道".into(),
                ..Step::default()
            },
        );
    }
    let status = s.app.clue_view(&d, k.id).unwrap().clue.status;
    if status == jingzhi_domain::clue::ClueStatus::Registered {
        go(&d, ClueAction::Accept, Step::default());
    }
    if s.app.clue_view(&d, k.id).unwrap().clue.status == jingzhi_domain::clue::ClueStatus::Accepted {
        go(
            &d,
            ClueAction::Dispatch,
            Step {
                org_id: Some(lead.org.id),
                ..Step::default()
            },
        );
    }
    go(&officer, ClueAction::Sign, Step::default());
    go(
        &officer,
        ClueAction::Verify,
        Step {
            verification: Some(Verification::Confirmed),
            text: "现场核查属实".into(),
            ..Step::default()
        },
    );
    (k.id, k.no)
}

pub fn user_id(s: &TestServer, username: &str) -> i64 {
    s.app
        .store
        .read(|c| jingzhi_store::repo::users::find_by_username(c, username))
        .unwrap()
        .unwrap()
        .id
}

fn case_id_of(location: &str) -> i64 {
    location
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("not a case page: {location}"))
}

/// Opens an ordinary case from the clue through the form; returns its id.
fn open_from_clue(s: &TestServer, c: &mut Client, clue_id: i64) -> i64 {
    let form = c.get(&format!("/cases/new?clue={clue_id}"));
    assert_eq!(form.status, 200);
    let page = form.text();
    assert!(page.contains("定西路100号"), "the clue's place is copied into the form");
    let t = csrf_in(&page).unwrap();
    let (o1, o2) = (user_id(s, "officer").to_string(), user_id(s, "officer2").to_string());
    let clue = clue_id.to_string();
    let r = c.post_form(
        "/cases",
        &[
            ("_csrf", &t),
            ("clue_id", &clue),
            ("procedure", "ordinary"),
            ("title", "张三占道经营案"),
            ("matter_code", "street_vending"),
            ("place", "定西路100号门前"),
            ("summary", "张三在定西路人行道上摆摊销售水果，占用人行道约6平方米。"),
            ("party_kind", "citizen"),
            ("party_name", "张三"),
            ("id_type", "resident_id"),
            ("id_number", PARTY_ID),
            ("party_address", "上海市长宁区定西路100号"),
            ("officer_ids", &o1),
            ("officer_ids", &o2),
            ("reason", "核查属实，符合立案条件"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    case_id_of(r.header("location").unwrap())
}

#[test]
fn a_case_is_opened_from_a_verified_clue_and_a_bad_form_keeps_what_was_typed() {
    let s = TestServer::start();
    let (clue_id, clue_no) = verified_clue(&s);
    let mut c = s.signed_in(Role::TeamLeader);
    let clue_page = c.get(&format!("/clues/{clue_id}")).text();
    assert!(
        clue_page.contains(&format!("/cases/new?clue={clue_id}")),
        "a verified clue offers 立案"
    );
    // A wrong check digit: refused next to the field, everything typed kept.
    let t = csrf_in(&c.get("/cases/new").text()).unwrap();
    let r = c.post_form(
        "/cases",
        &[
            ("_csrf", &t),
            ("procedure", "ordinary"),
            ("title", "李四占道经营案"),
            ("matter_code", "street_vending"),
            ("place", "华阳路1号"),
            ("party_kind", "citizen"),
            ("party_name", "李四"),
            ("id_type", "resident_id"),
            ("id_number", "110105194912310021"),
            ("party_address", "上海市长宁区华阳路1号"),
        ],
    );
    assert_eq!(r.status, 422);
    let page = r.text();
    assert!(page.contains("field-error"), "the error is next to its field");
    assert!(page.contains("校验"), "the check digit is named: {page}");
    assert!(page.contains("value=\"李四占道经营案\"") && page.contains("value=\"华阳路1号\""));
    let none = s
        .app
        .list_cases(&actor(&s, Role::TeamLeader), &Default::default())
        .unwrap();
    assert_eq!(none.total, 0, "nothing was filed");

    let id = open_from_clue(&s, &mut c, clue_id);
    let page = c.get(&format!("/cases/{id}?msg=opened")).text();
    assert!(page.contains("已立案"), "{page}");
    assert!(
        page.contains("长宁") && page.contains("第0001号"),
        "numbered in the subject's series"
    );
    assert!(
        page.contains("办案期限") && page.contains("90日"),
        "the 90-day clock with its explanation"
    );
    let v = s.app.case_view(&actor(&s, Role::TeamLeader), id).unwrap();
    assert_eq!(v.case.clue_id, Some(clue_id), "linked to {clue_no}");
}

#[test]
fn a_refused_step_shows_its_article_and_evidence_files_are_verified_and_audited() {
    let s = TestServer::start();
    let (clue_id, _) = verified_clue(&s);
    let mut c = s.signed_in(Role::TeamLeader);
    let id = open_from_clue(&s, &mut c, clue_id);
    let page = c.get(&format!("/cases/{id}")).text();
    let t = csrf_in(&page).unwrap();
    let r = c.post_form(&format!("/cases/{id}/step/start_investigation"), &[("_csrf", &t)]);
    assert_eq!(r.status, 303);
    // Closing the investigation without any evidence: refused with the law's article.
    let r = c.post_form(
        &format!("/cases/{id}/step/close_investigation"),
        &[("_csrf", &t), ("reason", "调查完毕")],
    );
    let refused = r.text();
    assert!(r.status == 409 || r.status == 422, "status {}", r.status);
    assert!(refused.contains("操作未完成") && refused.contains("第"), "{refused}");
    assert!(refused.contains("调查完毕"), "what was typed is kept");

    // Evidence with a photo, collected by two certified officers.
    let png: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1,
        8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde,
    ];
    let (o1, o2) = (user_id(&s, "officer").to_string(), user_id(&s, "officer2").to_string());
    let r = c.post_multipart(
        &format!("/cases/{id}/evidence"),
        &[
            ("_csrf", &t),
            ("evidence_type", "audio_visual"),
            ("title", "现场照片"),
            ("collected_by", &o1),
            ("collected_by", &o2),
            ("place", "定西路100号门前"),
        ],
        &[FilePart {
            field: "file",
            filename: "photo.png",
            content_type: "image/png",
            bytes: png,
        }],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = c.get(&format!("/cases/{id}")).text();
    assert!(page.contains("现场照片"));
    let href = page
        .split("href=\"/cases/evidence/")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .expect("a link to the evidence file")
        .to_string();
    let f = c.get(&format!("/cases/evidence/{href}"));
    assert_eq!(f.status, 200);
    assert_eq!(f.body, png, "the bytes come back as stored");
    assert_eq!(f.header("content-type"), Some("image/png"));
    let audited = |action: &str| {
        s.app
            .store
            .read(|c| {
                jingzhi_store::repo::audit::list(
                    c,
                    &jingzhi_store::repo::audit::AuditFilter {
                        action_prefix: Some(action.into()),
                        ..Default::default()
                    },
                    10,
                )
            })
            .unwrap()
            .into_iter()
            .any(|r| r.action == action)
    };
    assert!(audited("case.view_evidence_file"), "the download is in the audit trail");
    assert!(
        audited("case.view_evidence"),
        "so is seeing the evidence on the case page"
    );
    // A department liaison may not see evidence at all.
    let mut liaison = s.signed_in(Role::DepartmentLiaison);
    assert_eq!(liaison.get(&format!("/cases/evidence/{href}")).status, 403);
}

#[test]
fn an_issued_document_prints_and_the_list_exports_and_publicity_is_public() {
    let s = TestServer::start();
    let (clue_id, _) = verified_clue(&s);
    let mut c = s.signed_in(Role::TeamLeader);
    let id = open_from_clue(&s, &mut c, clue_id);
    let t = csrf_in(&c.get(&format!("/cases/{id}")).text()).unwrap();
    let r = c.post_form(
        &format!("/cases/{id}/documents"),
        &[("_csrf", &t), ("kind", "filing_approval")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let doc = c.get(r.header("location").unwrap());
    assert_eq!(doc.status, 200);
    let html = doc.text();
    assert!(html.contains("立案审批表") && html.contains("张三"), "{html}");
    assert!(html.contains("/assets/document.css"), "printed with the A4 stylesheet");
    let css = c.get("/assets/document.css");
    assert_eq!(css.status, 200);
    assert!(css.text().contains("size: A4"));
    // The list and its Excel export.
    let list = c.get("/cases").text();
    assert!(list.contains("张三占道经营案"));
    let x = c.get("/cases.xlsx?tab=all");
    assert_eq!(x.status, 200);
    assert!(x.body.starts_with(b"PK"), "an xlsx (zip) file");
    // Publicity needs no sign-in.
    let mut anon = s.client();
    let p = anon.get("/publicity");
    assert_eq!(p.status, 200);
    assert!(p.text().contains("行政处罚决定公示"));
    // Partners see no cases.
    let mut partner = s.signed_in(Role::PropertyStaff);
    assert_eq!(partner.get(&format!("/cases/{id}")).status, 403);
}

#[test]
fn an_officer_decides_on_the_spot_files_the_record_and_the_leader_closes_through_the_pages() {
    let s = TestServer::start();
    let mut officer = s.signed_in(Role::Officer);
    let plain = officer.get("/cases/new").text();
    assert!(
        plain.contains("id=\"procedure-simple\" checked") && !plain.contains("procedure-ordinary"),
        "an officer's form is the on-the-spot decision"
    );
    let t = csrf_in(&officer.get("/cases/new?procedure=simple").text()).unwrap();
    let (o1, o2) = (user_id(&s, "officer").to_string(), user_id(&s, "officer2").to_string());
    let form = |amount: &'static str| {
        vec![
            ("_csrf", t.clone()),
            ("procedure", "simple".to_string()),
            ("title", "赵六占道经营（当场处罚）".to_string()),
            ("matter_code", "street_vending".to_string()),
            ("place", "天山路100号门前".to_string()),
            ("summary", "赵六在人行道上摆摊，经指出后当场撤离。".to_string()),
            ("party_kind", "citizen".to_string()),
            ("party_name", "赵六".to_string()),
            ("id_type", "resident_id".to_string()),
            ("id_number", PARTY_ID.to_string()),
            ("party_address", "上海市长宁区天山路100号".to_string()),
            ("officer_ids", o1.clone()),
            ("officer_ids", o2.clone()),
            ("decision_kind", "penalty".to_string()),
            ("penalty1_kind", "fine".to_string()),
            ("penalty1_amount", amount.to_string()),
            ("discretion_level", "slight".to_string()),
            ("discretion_reasons", "初次被查处，当场改正".to_string()),
        ]
    };
    let pairs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, x)| (*k, x.clone())).collect::<Vec<_>>();
    // Over the simple procedure's limit for a citizen (200 元): refused with its article.
    let big = pairs(&form("500"));
    let big: Vec<(&str, &str)> = big.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = officer.post_form("/cases", &big);
    assert!(r.status == 409 || r.status == 422, "status {}", r.status);
    let page = r.text();
    assert!(page.contains("第五十一条"), "the simple procedure's article: {page}");
    assert!(page.contains("value=\"500\""), "what was typed is kept");
    let ok = pairs(&form("50"));
    let ok: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = officer.post_form("/cases", &ok);
    assert_eq!(r.status, 303, "{}", r.text());
    let id = case_id_of(r.header("location").unwrap());
    let page = officer.get(&format!("/cases/{id}")).text();
    assert!(page.contains("当场处罚"), "{page}");
    let t = csrf_in(&page).unwrap();
    let r = officer.post_form(
        &format!("/cases/{id}/step/collect_on_spot"),
        &[
            ("_csrf", &t),
            ("collection_ground", "small_amount"),
            ("collect_amount", "50"),
            ("receipt_no", "沪财罚00000099"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = officer.post_form(
        &format!("/cases/{id}/step/file_record"),
        &[("_csrf", &t), ("reason", "当场处罚决定书已报队部备案")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(officer.get(&format!("/cases/{id}")).text().contains("已备案"));
    let mut lead = s.signed_in(Role::TeamLeader);
    let t = csrf_in(&lead.get(&format!("/cases/{id}")).text()).unwrap();
    let r = lead.post_form(
        &format!("/cases/{id}/step/close"),
        &[
            ("_csrf", &t),
            ("closing_ground", "performed"),
            ("reason", "罚款已当场收缴"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = lead.get(&format!("/cases/{id}")).text();
    assert!(page.contains("已结案"), "{page}");
}

#[test]
fn case_settings_are_shown_to_officers_and_edited_by_the_administrator() {
    let s = TestServer::start();
    let mut o = s.signed_in(Role::Officer);
    let page = o.get("/case-settings").text();
    assert!(
        page.contains("hearing_fine_citizen_yuan") && page.contains("待核实"),
        "the thresholds with their confidence"
    );
    assert!(page.contains("上海市长宁区人民政府"));
    assert!(page.contains("吊销许可证件"), "penalty kinds by their Chinese names");
    assert!(!page.contains("name=\"thresholds\""), "only the administrator edits");
    let ot = o.csrf_of("/case-settings");
    assert_eq!(
        o.post_form(
            "/case-settings",
            &[("_csrf", &ot), ("thresholds", ""), ("review_body", "x")]
        )
        .status,
        403
    );
    let mut a = s.signed_in(Role::Admin);
    assert!(a.get("/admin").text().contains("/case-settings"));
    let page = a.get("/case-settings").text();
    let t = csrf_in(&page).unwrap();
    let r = a.post_form(
        "/case-settings",
        &[
            ("_csrf", &t),
            ("thresholds", "hearing_fine_citizen_yuan = 五千"),
            ("review_body", "上海市长宁区人民政府"),
            ("court", "上海市长宁区人民法院"),
        ],
    );
    assert_eq!(r.status, 422);
    let body = r.text();
    assert!(body.contains("格式错误"), "the reason in Chinese");
    assert!(
        body.contains("hearing_fine_citizen_yuan = 五千</textarea>"),
        "what was typed is kept"
    );
    assert!(
        body.contains("value=\"上海市长宁区人民法院\""),
        "every field keeps its value"
    );
    let r = a.post_form(
        "/case-settings",
        &[
            ("_csrf", &t),
            ("thresholds", "hearing_fine_citizen_yuan = 4000"),
            ("review_body", "上海市长宁区人民政府"),
            ("court", "上海市长宁区人民法院"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = o.get("/case-settings").text();
    assert!(page.contains("<td>4000</td>"), "{page}");
    assert!(page.contains("上海市长宁区人民法院"));
}
