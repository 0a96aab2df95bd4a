//! Penalty cases through the JSON API: an ordinary case from filing to archive, the simple
//! procedure, gates answering 409 with their article, data scope, frozen documents, publicity
//! (masked, public) and the OpenAPI document. The end-to-end case runs on SQLite and PostgreSQL.

use crate::support::*;
use jingzhi_domain::role::Role;
use jingzhi_testkit::Scratch;
use serde_json::{Value, json};

const PARTY_ID: &str = "11010519491231002X";

fn user_id(s: &TestServer, username: &str) -> i64 {
    s.app
        .store
        .read(|c| jingzhi_store::repo::users::find_by_username(c, username))
        .unwrap()
        .unwrap_or_else(|| panic!("no user {username}"))
        .id
}

fn officers(s: &TestServer) -> (i64, i64) {
    (user_id(s, "officer"), user_id(s, "officer2"))
}

/// POST with the session's CSRF token.
fn post(c: &mut Client, path: &str, body: Value) -> Resp {
    let t = csrf_in(&c.get("/").text()).expect("csrf token on the home page");
    c.post_json(path, body, &[("X-CSRF-Token", &t)])
}

fn step(c: &mut Client, id: i64, body: Value) -> Resp {
    post(c, &format!("/api/v1/cases/{id}/steps"), body)
}

/// Takes a step that must succeed and returns the case's new status.
fn ok_step(c: &mut Client, id: i64, body: Value) -> String {
    let r = step(c, id, body.clone());
    assert_eq!(r.status, 200, "{body}: {}", r.text());
    r.json()["case"]["status"].as_str().unwrap().to_string()
}

fn citizen() -> Value {
    json!({"kind": "citizen", "name": "张三", "id_number": PARTY_ID, "address": "上海市长宁区定西路100号",
           "phone": "13800000009"})
}

fn fine(yuan: i64, level: &str) -> Value {
    json!({"kind": "penalty", "penalties": [{"kind": "fine", "amount_yuan": yuan}],
           "discretion": {"level": level, "reasons": "经劝阻后仍占道经营，影响行人通行"}})
}

/// Opens an ordinary street-vending case as the team leader; returns its detail.
fn open_ordinary(s: &TestServer, c: &mut Client) -> Value {
    let (o1, o2) = officers(s);
    let r = post(
        c,
        "/api/v1/cases",
        json!({"matter_code": "street_vending", "title": "张三占道经营案",
               "summary": "张三在定西路人行道上摆摊销售水果，占用人行道约6平方米。", "place": "定西路100号门前",
               "party": citizen(), "officer_ids": [o1, o2], "reason": "巡查发现占道经营，经劝阻未改正"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn ordinary_case_end_to_end(s: &TestServer) {
    let mut tl = s.signed_in(Role::TeamLeader);
    let mut off = s.signed_in(Role::Officer);
    let (o1, o2) = officers(s);

    // A party with a resident ID whose check digit is wrong: a field error on the number.
    let mut bad_party = citizen();
    bad_party["id_number"] = json!("110105194912310021");
    let r = post(
        &mut tl,
        "/api/v1/cases",
        json!({"matter_code": "street_vending", "title": "x", "party": bad_party, "officer_ids": [o1, o2], "reason": "x"}),
    );
    assert_eq!(r.status, 422, "{}", r.text());
    let j = r.json();
    assert_eq!(j["code"], "validation_failed");
    assert_eq!(j["fields"][0]["field"], "party.id_number", "{j}");
    let r = post(
        &mut tl,
        "/api/v1/cases",
        json!({"matter_code": "no_such_matter", "title": "x", "party": citizen(), "officer_ids": [o1, o2], "reason": "x"}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["fields"][0]["field"], "matter_code");

    // Whom the team leader can put on a case: the team's certified officers.
    let choices = tl.get("/api/v1/case-officers").json();
    let ids: Vec<i64> = choices
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["user_id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&o1) && ids.contains(&o2), "{choices}");
    assert!(
        choices.as_array().unwrap()[0]["certificate_no"].is_string(),
        "certified first: {choices}"
    );

    // 立案.
    let v = open_ordinary(s, &mut tl);
    let id = v["case"]["id"].as_i64().unwrap();
    assert_eq!(v["case"]["status"], "filed");
    assert_eq!(v["case"]["procedure"], "ordinary");
    let number = v["case"]["number"].as_str().unwrap().to_string();
    assert!(number.contains("罚字〔") && number.ends_with("第0001号"), "{number}");
    assert_eq!(v["parties"][0]["id_number"], PARTY_ID);
    assert_eq!(v["officers"].as_array().unwrap().len(), 2);
    let decision_clock = v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "case_decision_90d")
        .unwrap_or_else(|| panic!("the 90-day clock runs: {v}"));
    assert!(!decision_clock["explanation"].as_str().unwrap().is_empty());
    assert_eq!(decision_clock["deadline"]["state"], "running");
    let start = v["available_actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "start_investigation")
        .unwrap_or_else(|| panic!("start_investigation offered: {v}"));
    assert_eq!(start["allowed"], true);
    assert_eq!(start["next_status"], "investigating");
    assert_eq!(v["events"][0]["action"], "file");

    // 调查取证.
    assert_eq!(
        ok_step(&mut off, id, json!({"action": "start_investigation"})),
        "investigating"
    );
    let r = post(
        &mut off,
        &format!("/api/v1/cases/{id}/evidence"),
        json!({"evidence_type": "audio_visual", "title": "现场照片", "collected_by": [o1], "place": "定西路100号门前"}),
    );
    assert_eq!(r.status, 409, "one officer is not enough: {}", r.text());
    let j = r.json();
    assert_eq!(j["code"], "gate_refused");
    assert!(
        j["message"].as_str().unwrap().contains("《行政处罚法》第四十二条"),
        "{j}"
    );
    let sha = "ab".repeat(32);
    let r = post(
        &mut off,
        &format!("/api/v1/cases/{id}/evidence"),
        json!({"evidence_type": "audio_visual", "title": "现场照片", "collected_by": [o1, o2],
               "place": "定西路100号门前", "sha256": sha, "size": 2048, "content_type": "image/jpeg"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let r = post(
        &mut off,
        &format!("/api/v1/cases/{id}/evidence"),
        json!({"evidence_type": "carrier_pigeon", "title": "x", "collected_by": [o1, o2]}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["fields"][0]["field"], "evidence_type");
    let r = post(
        &mut off,
        &format!("/api/v1/cases/{id}/records"),
        json!({"kind": "inquiry_record", "content": "问：你是否在此摆摊？答：是的。", "officers": [o1, o2],
               "signature": "party_signed"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    // The evidence listing, audited.
    let r = off.get(&format!("/api/v1/cases/{id}/evidence"));
    assert_eq!(r.status, 200, "{}", r.text());
    let ev = r.json();
    assert_eq!(ev["evidence"].as_array().unwrap().len(), 1, "{ev}");
    assert_eq!(ev["evidence"][0]["sha256"], sha.as_str());
    assert_eq!(ev["evidence"][0]["collected_by"].as_array().unwrap().len(), 2);
    assert_eq!(ev["records"][0]["kind"], "inquiry_record");
    assert_eq!(ev["records"][0]["signature"], "party_signed");
    let mut admin = s.signed_in(Role::Admin);
    let audit = admin
        .get(&format!(
            "/api/v1/audit?entity=case&entity_id={id}&action=case.view_evidence"
        ))
        .json();
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
    let r = s
        .signed_in(Role::PropertyStaff)
        .get(&format!("/api/v1/cases/{id}/evidence"));
    assert_eq!(r.status, 403);
    assert_eq!(
        ok_step(&mut off, id, json!({"action": "close_investigation"})),
        "investigation_closed"
    );

    // 案件审核.
    assert_eq!(
        ok_step(
            &mut off,
            id,
            json!({"action": "submit_review", "proposal": fine(200, "ordinary")})
        ),
        "case_review"
    );
    let inbox = tl.get("/api/v1/case-inbox?kind=approval").json();
    assert!(
        inbox["items"].as_array().unwrap().iter().any(|k| k["id"] == id),
        "waits in the team leader's approval inbox: {inbox}"
    );
    assert_eq!(
        ok_step(&mut tl, id, json!({"action": "approve_review"})),
        "prior_notice"
    );

    // A decision without the prior notice is refused with its article; nothing changes.
    let r = step(
        &mut tl,
        id,
        json!({"action": "decide", "decision": fine(200, "ordinary")}),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    let j = r.json();
    assert_eq!(j["code"], "gate_refused");
    assert_eq!(j["message"], "未经事先告知不得作出处罚决定（《行政处罚法》第六十二条）");
    assert_eq!(
        tl.get(&format!("/api/v1/cases/{id}")).json()["case"]["status"],
        "prior_notice"
    );

    // 事先告知, 放弃陈述申辩.
    assert_eq!(
        ok_step(&mut off, id, json!({"action": "send_prior_notice"})),
        "prior_notice"
    );
    assert_eq!(ok_step(&mut off, id, json!({"action": "waive_rights"})), "prior_notice");
    // No heavier penalty than notified.
    let r = step(
        &mut tl,
        id,
        json!({"action": "decide", "decision": fine(300, "serious")}),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("《行政处罚法》第四十五条第二款"),
        "{}",
        r.text()
    );
    // A stale version is refused.
    let r = step(
        &mut tl,
        id,
        json!({"action": "decide", "decision": fine(200, "ordinary"), "version": 1}),
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["code"], "stale_case");

    // 决定.
    let version = tl.get(&format!("/api/v1/cases/{id}")).json()["case"]["version"]
        .as_i64()
        .unwrap();
    let r = step(
        &mut tl,
        id,
        json!({"action": "decide", "decision": fine(200, "ordinary"), "version": version}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["case"]["status"], "decided");
    assert_eq!(v["case"]["amount_yuan"], 200);
    assert!(v["publicity"]["notice"].is_object(), "published on decision: {v}");

    // The decision document, frozen with its hash.
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/documents"),
        json!({"kind": "penalty_decision"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let d = r.json();
    assert_eq!(d["number"], number.as_str());
    let doc_sha = d["sha256"].as_str().unwrap().to_string();
    assert_eq!(doc_sha.len(), 64);
    let got = tl.get(&format!("/api/v1/case-documents/{}", d["id"])).json();
    assert_eq!(got["sha256"], doc_sha.as_str());
    assert_eq!(got["content"]["title"], "行政处罚决定书");
    assert_eq!(got["content"]["number"], number.as_str());
    let text = got["content"].to_string();
    assert!(
        text.contains("六十日") && text.contains("行政复议"),
        "the relief routes are printed: {text}"
    );
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/documents"),
        json!({"kind": "love_letter"}),
    );
    assert_eq!(r.status, 422);

    // 送达, 自觉履行, 结案 (a reason is required), 归档.
    let r = step(
        &mut off,
        id,
        json!({"action": "serve", "service": {"method": "electronic"}}),
    );
    assert_eq!(r.status, 409, "electronic service needs consent: {}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("第六十一条"));
    assert_eq!(
        ok_step(
            &mut off,
            id,
            json!({"action": "serve", "service": {"method": "direct"}})
        ),
        "served"
    );
    assert_eq!(ok_step(&mut off, id, json!({"action": "record_paid"})), "performed");
    let r = step(&mut tl, id, json!({"action": "close", "closing_ground": "performed"}));
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("结案须写明理由"));
    assert_eq!(
        ok_step(
            &mut tl,
            id,
            json!({"action": "close", "closing_ground": "performed", "reason": "罚款已缴清，执行完毕"})
        ),
        "closed"
    );
    let v = step(&mut tl, id, json!({"action": "archive"})).json();
    assert_eq!(v["case"]["status"], "archived");
    let actions: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "file",
        "start_investigation",
        "decide",
        "serve",
        "record_paid",
        "close",
        "archive",
    ] {
        assert!(actions.contains(&a), "timeline has {a}: {actions:?}");
    }
    assert!(
        v["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["deadline"]["state"] != "running"),
        "no clock runs on a closed case: {}",
        v["clocks"]
    );

    // The list finds it by number and by status.
    let l = tl.get(&format!("/api/v1/cases?q={}", urlencode(&number))).json();
    assert_eq!(l["total"], 1, "{l}");
    assert_eq!(l["items"][0]["id"], id);
    let l = tl.get("/api/v1/cases?status=archived").json();
    assert!(l["items"].as_array().unwrap().iter().any(|k| k["id"] == id));
    let l = tl.get("/api/v1/cases?status=filed").json();
    assert!(!l["items"].as_array().unwrap().iter().any(|k| k["id"] == id));
    let r = tl.get("/api/v1/cases?status=nonsense");
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["fields"][0]["field"], "status");

    // Publicity is public and masked.
    let mut anon = s.client();
    let p = anon.get("/api/v1/publicity");
    assert_eq!(p.status, 200, "{}", p.text());
    let text = p.text();
    let list = p.json();
    let n = list
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["case_id"] == id)
        .unwrap_or_else(|| panic!("the decision is published: {list}"));
    assert_eq!(n["notice"]["party_name"], "张**");
    assert_eq!(n["notice"]["party_id"], "110105********002X");
    assert_eq!(n["notice"]["document_no"], number.as_str());
    assert!(
        !text.contains("张三") && !text.contains(PARTY_ID) && !text.contains("定西路100号"),
        "no personal data in public: {text}"
    );

    // Withdrawing takes it off the public list.
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/publicity/withdraw"),
        json!({"reason": ""}),
    );
    assert_eq!(r.status, 422);
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/publicity/withdraw"),
        json!({"reason": "该行政处罚决定已被依法撤销，现撤回公示信息。"}),
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let list = anon.get("/api/v1/publicity").json();
    assert!(!list.as_array().unwrap().iter().any(|n| n["case_id"] == id));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn an_ordinary_case_goes_from_filing_to_archive_through_the_api_on_sqlite() {
    ordinary_case_end_to_end(&TestServer::start());
}

#[test]
fn an_ordinary_case_goes_from_filing_to_archive_through_the_api_on_postgres() {
    if let Some(scratch) = Scratch::postgres("jingzhi-web::cases_api::postgres") {
        ordinary_case_end_to_end(&TestServer::on(scratch));
    }
}

#[test]
fn the_simple_procedure_is_limited_and_its_off_benchmark_fine_is_signalled() {
    let s = TestServer::start();
    let mut off = s.signed_in(Role::Officer);
    let (o1, o2) = officers(&s);
    let body = |decision: Value| {
        json!({"procedure": "simple", "matter_code": "street_vending", "title": "当场处罚", "place": "定西路",
               "party": citizen(), "officer_ids": [o1, o2], "decision": decision})
    };
    // 当场处罚 is limited to 200 元 for a citizen.
    let r = post(&mut off, "/api/v1/cases", body(fine(500, "grave")));
    assert_eq!(r.status, 409, "{}", r.text());
    let j = r.json();
    assert_eq!(j["code"], "gate_refused");
    assert!(
        j["message"].as_str().unwrap().contains("《行政处罚法》第五十一条"),
        "{j}"
    );
    let r = post(
        &mut off,
        "/api/v1/cases",
        body(
            json!({"kind": "penalty", "penalties": [{"kind": "fine", "amount_yuan": 150}],
        "discretion": {"level": "nonsense", "reasons": "x"}}),
        ),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["fields"][0]["field"], "decision.discretion.level");
    // 150 元 at the 轻微 level (50–100 元), with the reason written: allowed, and flagged.
    let r = post(
        &mut off,
        "/api/v1/cases",
        body(
            json!({"kind": "penalty", "penalties": [{"kind": "fine", "amount_yuan": 150}],
            "discretion": {"level": "slight", "reasons": "当场改正", "outside_band_reason": "多次劝阻无效"}}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    let id = v["case"]["id"].as_i64().unwrap();
    assert_eq!(v["case"]["status"], "on_the_spot");
    assert_eq!(v["case"]["procedure"], "simple");
    assert!(
        v["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "amount_outside_band"),
        "{v}"
    );
    let signals = off.get("/api/v1/case-signals").json();
    let mine = signals
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_id"] == id)
        .unwrap_or_else(|| panic!("signalled: {signals}"));
    assert_eq!(mine["signals"][0]["kind"], "amount_outside_band");
    assert_eq!(mine["signals"][0]["level"], "irregular");
    let l = off.get("/api/v1/cases?signal=amount_outside_band").json();
    assert!(l["items"].as_array().unwrap().iter().any(|k| k["id"] == id), "{l}");
    let l = off.get("/api/v1/cases?procedure=ordinary").json();
    assert!(!l["items"].as_array().unwrap().iter().any(|k| k["id"] == id));
    // 备案.
    assert_eq!(ok_step(&mut off, id, json!({"action": "file_record"})), "filed_record");
    // Not a public decision (simple procedure).
    let list = s.client().get("/api/v1/publicity").json();
    assert!(!list.as_array().unwrap().iter().any(|n| n["case_id"] == id));
    // An officer may not take a leader's step.
    let r = step(
        &mut off,
        id,
        json!({"action": "close", "closing_ground": "performed", "reason": "x"}),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["code"], "forbidden");
    let r = step(&mut off, id, json!({"action": "file"}));
    assert_eq!(r.status, 422, "opening steps go through POST /api/v1/cases");
}

#[test]
fn another_streets_team_and_partners_cannot_see_or_touch_a_case() {
    let s = TestServer::start();
    let mut tl = s.signed_in(Role::TeamLeader);
    let v = open_ordinary(&s, &mut tl);
    let id = v["case"]["id"].as_i64().unwrap();
    let admin = jingzhi_app::demo::bootstrap_actor();
    let key = s
        .app
        .create_api_key(
            &admin,
            "江苏路中队",
            "team-310105002",
            &[Role::TeamLeader, Role::Officer],
            None,
        )
        .unwrap();
    let auth = format!("Bearer {}", key.key);
    let mut other = s.client();
    let r = other.get_with(&format!("/api/v1/cases/{id}"), &[("Authorization", &auth)]);
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["code"], "out_of_scope");
    let l = other.get_with("/api/v1/cases", &[("Authorization", &auth)]).json();
    assert_eq!(l["total"], 0, "{l}");
    let r = other.post_json(
        &format!("/api/v1/cases/{id}/steps"),
        json!({"action": "start_investigation"}),
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["code"], "out_of_scope");
    let r = other.post_json(
        &format!("/api/v1/cases/{id}/documents"),
        json!({"kind": "filing_approval"}),
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 403);
    // The bureau's inspector sees the district; the owning team still sees it.
    let mut insp = s.signed_in(Role::Inspector);
    let l = insp.get("/api/v1/cases").json();
    assert!(l["items"].as_array().unwrap().iter().any(|k| k["id"] == id), "{l}");
    assert!(
        insp.get(&format!("/api/v1/cases/{id}")).json()["available_actions"]
            .as_array()
            .unwrap()
            .is_empty(),
        "an inspector watches, does not act"
    );
    // Property companies see no case files; nobody anonymous does.
    let mut p = s.signed_in(Role::PropertyStaff);
    let r = p.get("/api/v1/cases");
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "forbidden");
    let r = s.client().get(&format!("/api/v1/cases/{id}"));
    assert_eq!(r.status, 401);
    // Inboxes by role.
    let mut off = s.signed_in(Role::Officer);
    assert_eq!(off.get("/api/v1/case-inbox?kind=legal_review").status, 403);
    let mut legal = s.signed_in(Role::LegalReviewer);
    let r = legal.get("/api/v1/case-inbox?kind=legal_review");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["total"], 0);
    let r = legal.get("/api/v1/case-inbox?kind=coffee");
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["fields"][0]["field"], "kind");
}

#[test]
fn a_tampered_document_is_refused_and_evidence_files_officers_and_parties_are_added() {
    let s = TestServer::start();
    let mut tl = s.signed_in(Role::TeamLeader);
    let v = open_ordinary(&s, &mut tl);
    let id = v["case"]["id"].as_i64().unwrap();
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/documents"),
        json!({"kind": "filing_approval"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let doc = r.json()["id"].as_i64().unwrap();
    assert_eq!(tl.get(&format!("/api/v1/case-documents/{doc}")).status, 200);
    s.app
        .store
        .write(|c| {
            c.execute(
                "UPDATE case_document SET content = replace(content, '张三', '李四') WHERE id = $1",
                jingzhi_store::params![doc],
            )
        })
        .unwrap();
    let r = tl.get(&format!("/api/v1/case-documents/{doc}"));
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["code"], "document_tampered");

    // An evidence file uploaded as a multipart form: stored by its hash, read back verified and
    // audited; a file that is not what it claims is refused on its field.
    let (o1, o2) = officers(&s);
    let ids = format!("{o1},{o2}");
    let t = csrf_in(&tl.get("/").text()).unwrap();
    let upload = |c: &mut Client, content_type: &str| {
        c.post_multipart_with(
            &format!("/api/v1/cases/{id}/evidence"),
            &[
                ("evidence_type", "audio_visual"),
                ("title", "现场照片"),
                ("collected_by", &ids),
                ("place", "定西路"),
            ],
            &[FilePart {
                field: "file",
                filename: "photo.png",
                content_type,
                bytes: crate::clues::PNG,
            }],
            &[("X-CSRF-Token", &t)],
        )
    };
    let r = upload(&mut tl, "image/jpeg");
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["fields"][0]["field"], "file");
    let r = upload(&mut tl, "image/png");
    assert_eq!(r.status, 201, "{}", r.text());
    let eid = r.json()["id"].as_i64().unwrap();
    let ev = tl.get(&format!("/api/v1/cases/{id}/evidence")).json();
    let row = ev["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == eid)
        .unwrap_or_else(|| panic!("{ev}"));
    assert_eq!(row["content_type"], "image/png");
    assert_eq!(row["size"], crate::clues::PNG.len());
    assert_eq!(row["sha256"].as_str().unwrap().len(), 64);
    let f = tl.get(&format!("/api/v1/cases/{id}/evidence/{eid}/file"));
    assert_eq!(f.status, 200);
    assert_eq!(f.header("content-type"), Some("image/png"));
    assert_eq!(f.body, crate::clues::PNG);
    assert_eq!(f.header("x-content-sha256"), row["sha256"].as_str());
    assert_eq!(
        tl.get(&format!("/api/v1/cases/{}/evidence/{eid}/file", id + 1000))
            .status,
        404,
        "the evidence of another case"
    );
    let mut admin = s.signed_in(Role::Admin);
    let audit = admin
        .get(&format!(
            "/api/v1/audit?entity=case&entity_id={id}&action=case.view_evidence_file"
        ))
        .json();
    assert_eq!(
        audit.as_array().unwrap().len(),
        1,
        "the download is audited, the refused URL is not: {audit}"
    );
    let r = tl.post_multipart_with(
        &format!("/api/v1/cases/{id}/evidence"),
        &[
            ("evidence_type", "audio_visual"),
            ("title", "无文件"),
            ("collected_by", &ids),
        ],
        &[],
        &[("X-CSRF-Token", &t)],
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["fields"][0]["field"], "file");

    // Officers: the team leader replaces the list; an unknown user is a field error.
    let lead = user_id(&s, "teamlead");
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/officers"),
        json!({"officer_ids": [o1, lead]}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert!(list.as_array().unwrap().iter().any(|o| o["user_id"] == lead), "{list}");
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/officers"),
        json!({"officer_ids": [999999]}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["fields"][0]["field"], "officers");

    // A second party: an organisation with a credit code, a bad code refused on its field.
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/parties"),
        json!({"kind": "legal_person", "name": "某某餐饮有限公司", "id_number": "91350100M000100Y44",
               "legal_representative": "王五", "address": "上海市长宁区某路1号"}),
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["fields"][0]["field"], "party.id_number");
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/parties"),
        json!({"kind": "legal_person", "name": "某某餐饮有限公司", "id_number": "91350100M000100Y43",
               "address": "上海市长宁区某路1号"}),
    );
    assert_eq!(r.status, 422, "{}", r.text());
    let fields: Vec<String> = r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"party.legal_representative".to_string()), "{fields:?}");
    let r = post(
        &mut tl,
        &format!("/api/v1/cases/{id}/parties"),
        json!({"kind": "legal_person", "name": "某某餐饮有限公司", "id_number": "91350100M000100Y43",
               "legal_representative": "王五", "address": "上海市长宁区某路1号"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = tl.get(&format!("/api/v1/cases/{id}")).json();
    assert_eq!(v["parties"].as_array().unwrap().len(), 2, "{}", v["parties"]);
}

#[test]
fn the_openapi_document_lists_the_case_paths() {
    let s = TestServer::start();
    let doc = s.client().get("/api/v1/openapi.json").json();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/steps",
        "/api/v1/cases/{id}/parties",
        "/api/v1/cases/{id}/officers",
        "/api/v1/cases/{id}/evidence",
        "/api/v1/cases/{id}/evidence/{evidence_id}/file",
        "/api/v1/case-officers",
        "/api/v1/cases/{id}/records",
        "/api/v1/cases/{id}/documents",
        "/api/v1/cases/{id}/publicity/withdraw",
        "/api/v1/case-documents/{id}",
        "/api/v1/case-inbox",
        "/api/v1/case-signals",
        "/api/v1/publicity",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(paths["/api/v1/cases"]["get"].is_object() && paths["/api/v1/cases"]["post"].is_object());
    assert!(paths["/api/v1/cases/{id}/evidence"]["get"].is_object());
    assert_eq!(
        paths["/api/v1/publicity"]["get"]["security"],
        json!([{}]),
        "publicity is public"
    );
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for s in [
        "CaseDetail",
        "CaseStepIn",
        "OpenCaseIn",
        "DecisionIn",
        "IssuedDocumentDto",
    ] {
        assert!(schemas.contains_key(s), "missing schema {s}");
    }
}

#[test]
fn a_hearing_case_goes_through_legal_review_and_waits_for_its_hearing() {
    let s = TestServer::start();
    let mut tl = s.signed_in(Role::TeamLeader);
    let mut off = s.signed_in(Role::Officer);
    let mut legal = s.signed_in(Role::LegalReviewer);
    let (o1, o2) = officers(&s);
    let r = post(
        &mut tl,
        "/api/v1/cases",
        json!({"matter_code": "street_vending", "variant": "road_piling", "title": "张三占道堆物案",
               "summary": "张三在定西路人行道上长期堆放建材。", "place": "定西路100号门前",
               "party": citizen(), "officer_ids": [o1, o2], "reason": "巡查发现占道堆物"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["case"]["id"].as_i64().unwrap();
    ok_step(&mut off, id, json!({"action": "start_investigation"}));
    let r = post(
        &mut off,
        &format!("/api/v1/cases/{id}/evidence"),
        json!({"evidence_type": "audio_visual", "title": "现场照片", "collected_by": [o1, o2]}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    ok_step(&mut off, id, json!({"action": "close_investigation"}));
    let proposal = json!({"kind": "penalty", "penalties": [{"kind": "fine", "amount_yuan": 5000}],
                          "discretion": {"reasons": "堆物面积大、时间长，经责令仍未清除"}});
    ok_step(&mut off, id, json!({"action": "submit_review", "proposal": proposal}));
    // 5,000 元 for a citizen reaches the hearing threshold, and a hearing case needs legal review.
    assert_eq!(
        ok_step(&mut tl, id, json!({"action": "approve_review"})),
        "legal_review"
    );
    let inbox = legal.get("/api/v1/case-inbox?kind=legal_review").json();
    assert!(
        inbox["items"].as_array().unwrap().iter().any(|k| k["id"] == id),
        "{inbox}"
    );
    let r = step(&mut tl, id, json!({"action": "pass_legal_review"}));
    assert_eq!(r.status, 403, "only legal reviewers review: {}", r.text());
    assert_eq!(
        ok_step(&mut legal, id, json!({"action": "pass_legal_review"})),
        "prior_notice"
    );
    let inbox = legal.get("/api/v1/case-inbox?kind=legal_review").json();
    assert!(
        !inbox["items"].as_array().unwrap().iter().any(|k| k["id"] == id),
        "{inbox}"
    );

    // The notice must tell the hearing right. (The steps are dated back: the notice 20 days ago,
    // so that the five working days to ask for a hearing are over by now.)
    let ago = |days: i64| jingzhi_domain::time::format_ts(s.app.now() - jiff::SignedDuration::from_hours(24 * days));
    let r = step(&mut off, id, json!({"action": "send_prior_notice", "at": ago(20)}));
    assert_eq!(r.status, 409, "{}", r.text());
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert!(m.contains("听证") && m.contains("第六十三条"), "{m}");
    assert_eq!(
        ok_step(
            &mut off,
            id,
            json!({"action": "send_prior_notice", "hearing_right_told": true, "at": ago(20)})
        ),
        "prior_notice"
    );
    // Requested in time, the hearing must be held before deciding; it suspends the 90 days.
    assert_eq!(
        ok_step(&mut off, id, json!({"action": "request_hearing", "at": ago(19)})),
        "statement_hearing"
    );
    let v = tl.get(&format!("/api/v1/cases/{id}")).json();
    let c = v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "case_decision_90d")
        .unwrap();
    assert_eq!(c["deadline"]["state"], "suspended", "{c}");
    let decision = json!({"kind": "penalty", "penalties": [{"kind": "fine", "amount_yuan": 5000}],
                          "discretion": {"reasons": "堆物面积大、时间长，经责令仍未清除"}});
    let r = step(&mut tl, id, json!({"action": "decide", "decision": decision}));
    assert_eq!(r.status, 409, "{}", r.text());
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert!(m.contains("听证") && m.contains("第六十四条"), "{m}");
    let r = step(&mut legal, id, json!({"action": "hold_hearing"}));
    assert_eq!(r.status, 422, "the notice date is required: {}", r.text());
    assert_eq!(r.json()["fields"][0]["field"], "hearing_notice_at");
    assert_eq!(
        ok_step(
            &mut legal,
            id,
            json!({"action": "hold_hearing", "at": ago(2), "hearing_notice_at": ago(18)})
        ),
        "statement_hearing"
    );
    assert_eq!(
        ok_step(
            &mut off,
            id,
            json!({"action": "handle_statements", "reason": "听证意见已复核，维持拟处罚意见"})
        ),
        "statement_hearing"
    );
    let r = step(&mut tl, id, json!({"action": "decide", "decision": decision}));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["case"]["status"], "decided");
    let c = v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "case_decision_90d")
        .unwrap();
    assert_ne!(c["deadline"]["state"], "suspended", "{c}");
}

#[test]
fn a_case_is_opened_from_a_verified_clue_and_not_before() {
    let s = TestServer::start();
    let mut d = s.signed_in(Role::Dispatcher);
    let r = post(
        &mut d,
        "/api/v1/clues",
        json!({"channel": "hotline_12345", "source_ref": "GD-CASE-1", "description": "有人在人行道上摆摊卖水果，占了半条人行道",
               "address": "长宁区某小路口", "matter_code": "street_vending"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let clue = r.json()["clue"]["id"].as_i64().unwrap();
    let clue_step = |c: &mut Client, action: &str, body: Value| {
        let r = post(c, &format!("/api/v1/clues/{clue}/steps/{action}"), body);
        assert_eq!(r.status, 200, "{action}: {}", r.text());
    };
    clue_step(&mut d, "accept", json!({}));
    clue_step(
        &mut d,
        "relocate",
        json!({"street_code": "310105001", "reason": "地址在定西路"}),
    );
    let team = s
        .app
        .store
        .read(|c| jingzhi_store::repo::places::find_org_by_code(c, "team-310105001"))
        .unwrap()
        .unwrap()
        .id;
    clue_step(&mut d, "dispatch", json!({"org_id": team}));
    let mut off = s.signed_in(Role::Officer);
    clue_step(&mut off, "sign", json!({}));

    let mut tl = s.signed_in(Role::TeamLeader);
    let (o1, o2) = officers(&s);
    let open = json!({"clue_id": clue, "matter_code": "street_vending", "title": "张三占道经营案",
                      "party": citizen(), "officer_ids": [o1, o2], "reason": "线索核查属实"});
    let r = post(&mut tl, "/api/v1/cases", open.clone());
    assert_eq!(r.status, 409, "not verified yet: {}", r.text());
    let j = r.json();
    assert_eq!(j["code"], "gate_refused");
    assert!(j["message"].as_str().unwrap().contains("核查属实"), "{j}");

    clue_step(
        &mut off,
        "verify",
        json!({"verification": "confirmed", "text": "现场有一处水果摊占用人行道"}),
    );
    let r = post(&mut tl, "/api/v1/cases", open);
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    assert_eq!(v["case"]["clue_id"], clue);
    assert_eq!(v["case"]["street_code"], "310105001", "the clue's street");
    assert_eq!(v["case"]["status"], "filed");
}
