//! The legal-clocks pages and API.

use crate::support::*;
use jingzhi_domain::role::Role;
use serde_json::json;

#[test]
fn the_calendar_api_answers_and_marks_unknown_years_provisional() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Officer);
    let y = c.get("/api/v1/calendar?year=2026").json();
    assert_eq!(y["provisional"], false);
    assert!(y["source"].as_str().unwrap().contains("国务院办公厅"));
    let days = y["days"].as_array().unwrap();
    assert!(
        days.iter().any(|d| d["date"] == "2026-10-10" && d["kind"] == "workday"),
        "make-up Saturday listed"
    );
    assert_eq!(
        y["working_days_per_month"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .sum::<i64>(),
        248
    );
    let y = c.get("/api/v1/calendar?year=2027").json();
    assert_eq!(y["provisional"], true);
    assert!(y["provisional_reason"].as_str().unwrap().contains("2027年"));
    let r = c.get("/api/v1/calendar/working-days?from=2026-09-30&n=5").json();
    assert_eq!(r["date"], "2026-10-13");
    assert_eq!(r["weekday"], "星期二");
    let r = c.get("/api/v1/calendar/working-days?from=2026-13-01&n=5");
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["code"], "validation_failed");
}

#[test]
fn deadlines_compute_through_the_api_with_their_explanation() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Officer);
    let csrf = csrf_in(&c.get("/").text()).unwrap();
    let body = json!({
        "rule": "case_decision_90d", "from": "2026-03-02T10:00",
        "suspensions": [{"start": "2026-04-10T09:00", "end": "2026-04-22T15:00", "reason": "听证", "approver": "李四"}],
        "extensions": [{"length": 30, "approver": "张三", "reason": "案情复杂"}],
        "now": "2026-06-01T09:00"
    });
    let r = c.post_json("/api/v1/deadlines/compute", body, &[("X-CSRF-Token", &csrf)]);
    assert_eq!(r.status, 200, "{}", r.text());
    let d = r.json();
    assert_eq!(d["due_date"], "2026-07-12");
    assert_eq!(d["state"], "running");
    assert_eq!(
        d["explanation"],
        "办案期限：自2026年3月2日立案起90日，扣除听证期间12日，经张三批准延长30日，至2026年7月12日届满"
    );
    let r = c.post_json(
        "/api/v1/deadlines/compute",
        json!({"rule": "fine_payment_15d", "from": "2027-03-01"}),
        &[("X-CSRF-Token", &csrf)],
    );
    let d = r.json();
    assert_eq!(d["provisional"], true, "{d}");
    let r = c.post_json(
        "/api/v1/deadlines/compute",
        json!({"rule": "no_such_rule", "from": "2026-03-01"}),
        &[("X-CSRF-Token", &csrf)],
    );
    assert_eq!(r.status, 422);
    assert!(r.json()["message"].as_str().unwrap().contains("未知的期限规则"));
    let rules = c.get("/api/v1/clock-rules").json();
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "decision_publicity" && r["confirmed"] == false)
    );
}

#[test]
fn only_the_administrator_imports_a_calendar_year() {
    let s = TestServer::start();
    let mut officer = s.signed_in(Role::Officer);
    let csrf = csrf_in(&officer.get("/").text()).unwrap();
    let body = json!({"format": "csv", "source": "测试通知", "content": "date,kind,name\n2027-01-01,holiday,元旦\n"});
    let r = officer.post_json("/api/v1/calendar/2027", body.clone(), &[("X-CSRF-Token", &csrf)]);
    assert_eq!(r.status, 405, "PUT, not POST");
    let mut admin = s.signed_in(Role::Admin);
    let csrf = csrf_in(&admin.get("/").text()).unwrap();
    let put = |c: &mut Client, csrf: &str, b: serde_json::Value| {
        let agent = ureq::AgentBuilder::new().build();
        let cookie = c
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        match agent
            .put(&format!("{}/api/v1/calendar/2027", c.base))
            .set("Cookie", &cookie)
            .set("X-CSRF-Token", csrf)
            .send_json(b)
        {
            Ok(r) => (r.status(), r.into_json::<serde_json::Value>().unwrap()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_json::<serde_json::Value>().unwrap()),
            Err(e) => panic!("{e}"),
        }
    };
    let ocsrf = csrf_in(&officer.get("/").text()).unwrap();
    let (code, j) = put(&mut officer, &ocsrf, body.clone());
    assert_eq!((code, j["code"].as_str()), (403, Some("forbidden")));
    let (code, j) = put(
        &mut admin,
        &csrf,
        json!({"format": "csv", "source": "x", "content": "date,kind,name\n2027-01-05,workday,x\n"}),
    );
    assert_eq!(code, 422, "{j}");
    assert_eq!(j["code"], "import_rejected");
    let (code, j) = put(&mut admin, &csrf, body);
    assert_eq!(code, 200, "{j}");
    assert_eq!(j["holidays"], 1);
    let y = admin.get("/api/v1/calendar?year=2027").json();
    assert_eq!(y["provisional"], false);
}

#[test]
fn calendar_rules_and_calculator_pages() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Dispatcher);
    let page = c.get("/clocks?year=2026").text();
    assert!(page.contains("2026年工作日历"));
    assert!(
        page.contains("国庆节") && page.contains("班"),
        "holidays and make-up days shown"
    );
    assert!(!page.contains("导入日历"), "only the administrator imports");
    let page = c.get("/clocks?year=2028").text();
    assert!(page.contains("暂定") && page.contains("2028年工作日历尚未录入"));
    let rules = c.get("/clocks/rules").text();
    assert!(rules.contains("办案期限") && rules.contains("待核实"));
    let rule = c.get("/clocks/rules/case_decision_90d").text();
    assert!(rule.contains("行政处罚法") && !rule.contains("修改规则定义"));
    let csrf = csrf_in(&c.get("/clocks/compute").text()).unwrap();
    let r = c.post_form(
        "/clocks/compute",
        &[
            ("_csrf", &csrf),
            ("rule", "fine_payment_15d"),
            ("from", "2026-09-16"),
            ("s_start", ""),
            ("e_length", ""),
        ],
    );
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains("2026年10月8日"), "rolled past the National Day holiday");
    assert!(t.contains("顺延"));
    let r = c.post_form(
        "/clocks/compute",
        &[
            ("_csrf", &csrf),
            ("rule", "fine_payment_15d"),
            ("from", "九月十六"),
            ("e_length", "x"),
        ],
    );
    assert_eq!(r.status, 422);
    let t = r.text();
    assert!(
        t.contains("无法识别的时间") && t.contains("value=\"九月十六\""),
        "error shown, input kept"
    );
}

#[test]
fn the_administrator_edits_a_rule_and_sees_errors_in_place() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Admin);
    let page = c.get("/clocks/rules/decision_publicity").text();
    assert!(page.contains("修改规则定义"));
    let csrf = csrf_in(&page).unwrap();
    let def = s
        .app
        .clock_rules(&jingzhi_app::demo::bootstrap_actor())
        .unwrap()
        .definitions
        .iter()
        .find(|(c, _)| c == "decision_publicity")
        .unwrap()
        .1
        .clone();
    let r = c.post_form(
        "/clocks/rules/decision_publicity",
        &[
            ("_csrf", &csrf),
            ("definition", &def.replace("length = 7", "length = -1")),
        ],
    );
    assert_eq!(r.status, 422);
    let r = c.post_form(
        "/clocks/rules/decision_publicity",
        &[
            ("_csrf", &csrf),
            ("definition", &def.replace("length = 7", "length = 20")),
        ],
    );
    assert_eq!(r.status, 303);
    assert!(c.get("/clocks/rules").text().contains("20个工作日"));
}
