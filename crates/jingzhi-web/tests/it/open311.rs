//! Open311 GeoReport v2 as a standard client uses it: discovery, services, definitions, POST with
//! an API key, GET with the spec's filters, tokens, errors — in XML and JSON.

use crate::support::*;
use jingzhi_app::clues::{NewClue, Step};
use jingzhi_domain::clue::{Channel, ClueAction, Disposal, Verification, WorkOrderType};
use jingzhi_domain::role::Role;

/// A minimal XML reader for the spec's documents: checks the declaration, that every element is
/// closed in order and that text holds no raw markup, and returns every element as
/// (path, unescaped text), e.g. ("services/service/service_code", "catering_fumes").
fn xml(doc: &str) -> Vec<(String, String)> {
    let rest = doc
        .strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
        .unwrap_or_else(|| panic!("no UTF-8 XML declaration: {doc}"));
    let mut stack: Vec<String> = Vec::new();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut text = String::new();
    let mut s = rest;
    while let Some(i) = s.find('<') {
        text.push_str(&s[..i]);
        let j = s[i..].find('>').unwrap_or_else(|| panic!("unclosed tag in {doc}")) + i;
        let tag = &s[i + 1..j];
        assert!(!tag.contains('<'), "markup inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> without an opening tag"));
            assert_eq!(open, name, "elements close in order");
            let path = [stack.join("/"), name.to_string()]
                .iter()
                .filter(|p| !p.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join("/");
            out.push((path, unescape(text.trim())));
        } else if let Some(name) = tag.strip_suffix('/') {
            let mut path = stack.clone();
            path.push(name.to_string());
            out.push((path.join("/"), String::new()));
        } else {
            assert!(
                tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "plain element names only: {tag}"
            );
            stack.push(tag.to_string());
        }
        text.clear();
        s = &s[j + 1..];
    }
    assert!(stack.is_empty(), "unclosed elements {stack:?}");
    assert!(s.trim().is_empty(), "text after the root element");
    out
}

fn unescape(t: &str) -> String {
    for (i, _) in t.match_indices('&') {
        let ent = &t[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                .iter()
                .any(|e| ent.starts_with(e)),
            "raw & in text: {t}"
        );
    }
    assert!(!t.contains('>'), "raw > in text: {t}");
    t.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn texts<'a>(els: &'a [(String, String)], path: &str) -> Vec<&'a str> {
    els.iter().filter(|(p, _)| p == path).map(|(_, t)| t.as_str()).collect()
}

/// An Open311 key of the dispatch centre, as `jingzhi api-key create` makes it.
fn key(s: &TestServer) -> String {
    s.app
        .create_api_key(
            &jingzhi_app::demo::bootstrap_actor(),
            "Open311 测试客户端",
            "dispatch",
            &[Role::Dispatcher],
            None,
        )
        .unwrap()
        .key
}

fn actor(s: &TestServer, role: Role) -> jingzhi_app::Actor {
    let a = s.account(role);
    let session = s.app.login(&a.username, &a.password, "127.0.0.1", None).unwrap();
    s.app.session_actor(&session.token).unwrap().unwrap()
}

fn clue_id(s: &TestServer, no: &str) -> i64 {
    s.app
        .store
        .read(|c| jingzhi_store::repo::clues::find_by_no(c, no))
        .unwrap()
        .unwrap()
        .id
}

fn post(c: &mut Client, fmt: &str, pairs: &[(&str, &str)]) -> Resp {
    c.post_form(&format!("/open311/v2/requests.{fmt}"), pairs)
}

/// POSTs and returns the new service_request_id.
fn submit(c: &mut Client, pairs: &[(&str, &str)]) -> String {
    let r = post(c, "json", pairs);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()[0]["service_request_id"].as_str().unwrap().to_string()
}

fn ids_of(r: &Resp) -> Vec<String> {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["service_request_id"].as_str().unwrap().to_string())
        .collect()
}

/// 天山一村 (inside 天山路街道's polygon), WGS84.
const LAT: &str = "31.2150";
const LONG: &str = "121.4045";

#[test]
fn discovery_services_and_definitions_in_both_formats() {
    let s = TestServer::start();
    let mut c = s.client();

    let r = c.get("/open311/v2/discovery.json");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    let d = r.json();
    assert!(d["changeset"].is_string() && d["contact"].is_string() && d["key_service"].is_string());
    let ep = &d["endpoints"][0];
    assert_eq!(ep["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert_eq!(
        ep["url"],
        format!("{}/open311/v2", s.base),
        "absolute, from the Host header"
    );
    assert_eq!(ep["type"], "test", "the demo server's data is not acted upon");
    assert_eq!(ep["formats"], serde_json::json!(["text/xml", "application/json"]));
    let r = c.get("/open311/v2/discovery.xml");
    assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
    let x = xml(&r.text());
    assert_eq!(
        texts(&x, "discovery/endpoints/endpoint/specification"),
        vec!["http://wiki.open311.org/GeoReport_v2"]
    );
    assert_eq!(
        texts(&x, "discovery/endpoints/endpoint/formats/format"),
        vec!["text/xml", "application/json"]
    );
    assert_eq!(
        texts(&x, "discovery/endpoints/endpoint/url"),
        vec![format!("{}/open311/v2", s.base)]
    );

    // Services: the matters in 城管's remit, and 其他.
    let list = c.get("/open311/v2/services.json").json();
    let list = list.as_array().unwrap();
    let by_code = |code: &str| list.iter().find(|x| x["service_code"] == code).cloned();
    let fumes = by_code("catering_fumes").expect("餐饮油烟 is a service");
    assert_eq!(fumes["service_name"], "餐饮油烟");
    assert_eq!(fumes["group"], "生态环境");
    assert_eq!(fumes["metadata"], true);
    assert_eq!(fumes["type"], "realtime");
    assert!(fumes["description"].as_str().unwrap().contains("依据"), "{fumes}");
    assert!(fumes["keywords"].as_str().unwrap().contains("油烟"), "{fumes}");
    assert_eq!(by_code("other").expect("其他")["group"], "其他");
    assert_eq!(by_code("illegal_construction").unwrap()["group"], "住宅小区");
    assert!(
        by_code("group_rental").is_none(),
        "群租 is the housing department's remit"
    );
    assert_eq!(list.len(), 18, "17 matters in 城管's remit and 其他");
    let groups = ["住宅小区", "街面秩序", "生态环境", "城市安全", "其他"];
    assert!(list.iter().all(|x| groups.contains(&x["group"].as_str().unwrap())));
    let x = xml(&c.get("/open311/v2/services.xml").text());
    let codes = texts(&x, "services/service/service_code");
    assert_eq!(codes.len(), list.len());
    assert!(codes.contains(&"catering_fumes") && codes.contains(&"other"));
    assert!(texts(&x, "services/service/service_name").contains(&"违法建筑"));
    assert_eq!(
        texts(&x, "services/service/metadata")
            .iter()
            .filter(|m| **m == "true")
            .count(),
        list.len()
    );

    // Definitions.
    let d = c.get("/open311/v2/services/illegal_construction.json").json();
    assert_eq!(d["service_code"], "illegal_construction");
    let a = d["attributes"].as_array().unwrap();
    assert_eq!(a[0]["code"], "under_construction");
    assert_eq!(a[0]["datatype"], "singlevaluelist");
    assert_eq!(a[0]["required"], true);
    assert_eq!(a[0]["variable"], true);
    assert_eq!(a[0]["order"], 1);
    let keys: Vec<&str> = a[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["yes", "no"]);
    assert!(
        a.iter()
            .any(|x| x["code"] == "discovered_at" && x["datatype"] == "datetime")
    );
    assert!(a.iter().any(|x| x["code"] == "compound" && x["datatype"] == "string"));
    let x = xml(&c.get("/open311/v2/services/illegal_construction.xml").text());
    assert_eq!(
        texts(&x, "service_definition/service_code"),
        vec!["illegal_construction"]
    );
    assert_eq!(
        texts(&x, "service_definition/attributes/attribute/values/value/name"),
        vec!["是，正在搭建", "否，已经建成"]
    );
    let d = c.get("/open311/v2/services/street_vending.json").json();
    assert!(
        !d["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "compound"),
        "street matters do not ask for a compound"
    );

    // Unknown codes, jurisdictions, formats and methods: the spec's error array.
    let r = c.get("/open311/v2/services/nope.json");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()[0]["code"], 404);
    assert!(r.json()[0]["description"].as_str().unwrap().contains("nope"));
    let r = c.get("/open311/v2/services/group_rental.xml");
    assert_eq!(r.status, 404);
    assert_eq!(texts(&xml(&r.text()), "errors/error/code"), vec!["404"]);
    let r = c.get("/open311/v2/services.json?jurisdiction_id=sfgov.org");
    assert_eq!(r.status, 404);
    assert!(r.json()[0]["description"].as_str().unwrap().contains("jurisdiction_id"));
    assert_eq!(
        c.get("/open311/v2/services.json?jurisdiction_id=changning.sh.gov.cn")
            .status,
        200
    );
    assert_eq!(c.get("/open311/v2/services.html").status, 404);
    let r = c.post_form("/open311/v2/services.json", &[("a", "b")]);
    assert_eq!(r.status, 405);
    assert_eq!(r.json()[0]["code"], 405);
    let r = c.get("/open311/v2/tokens/abc123.json");
    assert_eq!(r.status, 404);
    assert!(r.json()[0]["description"].as_str().unwrap().contains("token"));
    let r = c.get("/open311/v2/tokens/abc123.xml");
    assert_eq!(r.status, 404);
    assert_eq!(texts(&xml(&r.text()), "errors/error/code"), vec!["404"]);
}

#[test]
fn posting_needs_a_valid_key_and_a_service_code_and_a_location() {
    let s = TestServer::start();
    let mut c = s.client();
    let k = key(&s);
    let base = [("service_code", "street_vending"), ("address_string", "长宁区某路口")];

    let r = post(&mut c, "json", &base);
    assert_eq!(r.status, 403, "no api_key");
    assert_eq!(r.json()[0]["code"], 403);
    assert!(r.json()[0]["description"].as_str().unwrap().contains("api_key"));
    let r = post(&mut c, "xml", &[("api_key", "jzk_deadbeef_0123"), base[0], base[1]]);
    assert_eq!(r.status, 403, "made-up key");
    assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
    assert_eq!(texts(&xml(&r.text()), "errors/error/code"), vec!["403"]);
    let partner = s
        .app
        .create_api_key(
            &jingzhi_app::demo::bootstrap_actor(),
            "物业对接",
            "pc-011",
            &[Role::PropertyStaff],
            None,
        )
        .unwrap()
        .key;
    let r = post(&mut c, "json", &[("api_key", &partner), base[0], base[1]]);
    assert_eq!(
        r.status,
        403,
        "a partner's key does not file public reports: {}",
        r.text()
    );

    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v: Vec<(&str, &str)> = vec![("api_key", k.as_str())];
        v.extend_from_slice(extra);
        v
    };
    let r = post(&mut c, "json", &with(&[("address_string", "长宁区某路口")]));
    assert_eq!(r.status, 400, "missing service_code");
    assert!(r.json()[0]["description"].as_str().unwrap().contains("service_code"));
    let r = post(
        &mut c,
        "json",
        &with(&[("service_code", "street_vending"), ("description", "摆摊")]),
    );
    assert_eq!(r.status, 400, "missing location");
    assert!(
        r.json()[0]["description"].as_str().unwrap().contains("位置"),
        "{}",
        r.text()
    );
    let r = post(
        &mut c,
        "json",
        &with(&[("service_code", "potholes"), ("address_string", "x路")]),
    );
    assert_eq!(r.status, 404, "unknown service_code");
    let r = post(
        &mut c,
        "json",
        &with(&[("service_code", "group_rental"), ("address_string", "x路")]),
    );
    assert_eq!(r.status, 404, "not a service");
    let r = post(
        &mut c,
        "json",
        &with(&[("service_code", "street_vending"), ("lat", LAT)]),
    );
    assert_eq!(r.status, 400, "lat without long");
    let r = post(
        &mut c,
        "json",
        &with(&[("service_code", "street_vending"), ("lat", "0"), ("long", "0")]),
    );
    assert_eq!(r.status, 400, "(0,0) is not in Shanghai");
    let r = post(
        &mut c,
        "json",
        &with(&[("service_code", "street_vending"), ("lat", LONG), ("long", LAT)]),
    );
    assert_eq!(r.status, 400, "swapped lat/long");
    let r = post(
        &mut c,
        "xml",
        &with(&[("service_code", "illegal_construction"), ("lat", LAT), ("long", LONG)]),
    );
    assert_eq!(r.status, 400, "required attribute missing");
    assert!(
        xml(&r.text())
            .iter()
            .any(|(p, t)| p == "errors/error/description" && t.contains("attribute[under_construction]"))
    );
    let r = post(
        &mut c,
        "json",
        &with(&[
            ("service_code", "illegal_construction"),
            ("lat", LAT),
            ("long", LONG),
            ("attribute[under_construction]", "maybe"),
        ]),
    );
    assert_eq!(r.status, 400, "not a listed value");
    let long = "很".repeat(4001);
    let r = post(
        &mut c,
        "json",
        &[
            ("api_key", &k),
            ("service_code", "street_vending"),
            ("address_string", "x路"),
            ("description", &long),
        ],
    );
    assert_eq!(r.status, 400, "description over 4000 characters");
    let r = post(
        &mut c,
        "json",
        &with(&[
            ("service_code", "street_vending"),
            ("address_string", "x路"),
            ("jurisdiction_id", "sfgov.org"),
        ]),
    );
    assert_eq!(r.status, 404, "another jurisdiction");
    let r = c.post_form_with(
        "/open311/v2/requests.json",
        &[("api_key", &k)],
        &[("Content-Type", "multipart/form-data; boundary=x")],
    );
    assert_eq!(r.status, 400, "the spec's body is form-urlencoded");

    // Valid: with the jurisdiction, an address_id only, the required attribute.
    let r = post(
        &mut c,
        "xml",
        &with(&[
            ("jurisdiction_id", "changning.sh.gov.cn"),
            ("service_code", "illegal_construction"),
            ("address_id", "CN-0001"),
            ("attribute[under_construction]", "yes"),
            ("account_id", "acc-7"),
        ]),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let x = xml(&r.text());
    let id = texts(&x, "service_requests/request/service_request_id")[0].to_string();
    assert!(id.starts_with("XS"), "the clue number: {id}");
    assert_eq!(texts(&x, "service_requests/request/account_id"), vec!["acc-7"]);
    assert!(texts(&x, "service_requests/request/service_notice")[0].contains(&id));
    let k = s
        .app
        .store
        .read(|c| jingzhi_store::repo::clues::find_by_no(c, &id))
        .unwrap()
        .unwrap();
    assert_eq!(k.channel, Channel::PublicReport);
    assert_eq!(k.matter_code, "illegal_construction");
    assert!(k.under_construction, "the attribute decides the 2-hour clock");
    let one = c.get(&format!("/open311/v2/requests/{id}.json")).json();
    assert_eq!(one[0]["address_id"], "CN-0001");
}

#[test]
fn a_posted_request_is_read_back_by_id_and_in_filtered_lists() {
    let s = TestServer::start();
    let mut c = s.client();
    let k = key(&s);
    let r = post(
        &mut c,
        "json",
        &[
            ("api_key", &k),
            ("service_code", "catering_fumes"),
            ("lat", LAT),
            ("long", LONG),
            ("address_string", "天山路30弄"),
            ("description", "楼下饭店<b>油烟</b>直排，每天晚上熏得不敢开窗"),
            ("media_url", "https://example.com/p/1.jpg"),
            ("first_name", "小明"),
            ("last_name", "王"),
            ("phone", "13912345678"),
            ("device_id", "dev-1"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let posted = r.json();
    let id = posted[0]["service_request_id"].as_str().unwrap().to_string();
    assert!(
        posted[0]["service_notice"].as_str().unwrap().contains("告知"),
        "{posted}"
    );
    assert!(posted[0]["account_id"].is_null());
    assert!(posted[0].get("token").is_none(), "never both an id and a token");

    let one = c.get(&format!("/open311/v2/requests/{id}.json")).json();
    let q = &one[0];
    assert_eq!(q["service_request_id"], id.as_str());
    assert_eq!(q["status"], "open");
    assert_eq!(q["service_code"], "catering_fumes");
    assert_eq!(q["service_name"], "餐饮油烟");
    assert_eq!(
        q["description"], "楼下饭店油烟直排，每天晚上熏得不敢开窗",
        "HTML stripped"
    );
    assert_eq!(q["media_url"], "https://example.com/p/1.jpg");
    assert!((q["lat"].as_f64().unwrap() - 31.215).abs() < 1e-9);
    assert!((q["long"].as_f64().unwrap() - 121.4045).abs() < 1e-9);
    assert!(q["requested_datetime"].as_str().unwrap().ends_with("+08:00"));
    assert!(
        q["expected_datetime"].as_str().is_some(),
        "the 5-working-day feedback clock: {q}"
    );
    assert!(q["agency_responsible"].as_str().unwrap().contains("执法"), "{q}");
    assert!(q["status_notes"].as_str().unwrap().starts_with("待"), "{q}");
    let x = xml(&c.get(&format!("/open311/v2/requests/{id}.xml")).text());
    assert_eq!(
        texts(&x, "service_requests/request/service_request_id"),
        vec![id.as_str()]
    );
    assert_eq!(texts(&x, "service_requests/request/status"), vec!["open"]);
    assert_eq!(texts(&x, "service_requests/request/zipcode"), vec![""]);
    assert_eq!(c.get("/open311/v2/requests/XS1999000001.json").status, 404);
    let r = c.get("/open311/v2/requests/XS1999000001.xml");
    assert_eq!(texts(&xml(&r.text()), "errors/error/code"), vec!["404"]);

    // A second, different request.
    let other = submit(
        &mut c,
        &[
            ("api_key", &k),
            ("service_code", "shared_bike_parking"),
            ("address_string", "长宁区某地铁站出口"),
            ("description", "共享单车堆了几十辆，堵住盲道"),
        ],
    );
    assert_ne!(other, id);

    let list = |c: &mut Client, q: &str| ids_of(&c.get(&format!("/open311/v2/requests.json{q}")));
    let all = list(&mut c, "");
    assert!(all.contains(&id) && all.contains(&other), "default: the last 90 days");
    assert_eq!(all[0], other, "newest first");
    assert_eq!(list(&mut c, "?service_code=catering_fumes"), vec![id.clone()]);
    assert_eq!(list(&mut c, "?service_code=street_vending"), Vec::<String>::new());
    let both = list(&mut c, "?service_code=catering_fumes,shared_bike_parking");
    assert_eq!(both, vec![other.clone(), id.clone()]);
    assert_eq!(
        list(
            &mut c,
            "?service_code=catering_fumes,shared_bike_parking&page_size=1&page=2"
        ),
        vec![id.clone()]
    );
    assert_eq!(list(&mut c, "?page_size=1"), vec![other.clone()]);
    assert_eq!(list(&mut c, "?status=closed"), Vec::<String>::new());
    assert_eq!(list(&mut c, "?status=open").len(), 2);
    assert_eq!(list(&mut c, "?status=open,closed").len(), 2);
    let today = jingzhi_domain::time::civil_date(s.app.now());
    let span = format!(
        "?start_date={}T00:00:00%2B08:00&end_date={}",
        today.yesterday().unwrap(),
        today
    );
    assert_eq!(
        list(&mut c, &span).len(),
        2,
        "date-only end_date is the end of that day"
    );
    // A '+' left unencoded in the query still reads as the offset.
    let plus = format!("?start_date={}T00:00:00+08:00", today.yesterday().unwrap());
    assert_eq!(list(&mut c, &plus).len(), 2);
    assert!(list(&mut c, "?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z").is_empty());
    let r = c.get("/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-06-01T00:00:00Z");
    assert_eq!(r.status, 400, "more than 90 days");
    assert_eq!(r.json()[0]["code"], 400);
    assert_eq!(c.get("/open311/v2/requests.json?status=pending").status, 400);
    assert_eq!(c.get("/open311/v2/requests.json?page_size=1001").status, 400);
    assert_eq!(c.get("/open311/v2/requests.json?start_date=yesterday").status, 400);
    // service_request_id overrides every other parameter.
    let ids = list(
        &mut c,
        &format!("?service_request_id={id},XS1999000001,{other}&status=closed&service_code=street_vending"),
    );
    assert_eq!(ids, vec![id.clone(), other.clone()]);
    let x = xml(&c.get("/open311/v2/requests.xml?status=open").text());
    assert_eq!(texts(&x, "service_requests/request/service_request_id").len(), 2);
    assert_eq!(c.get("/open311/v2/requests.xml?jurisdiction_id=x.org").status, 404);

    // The same request again within a minute: the same clue.
    let again = post(
        &mut c,
        "json",
        &[
            ("api_key", &k),
            ("service_code", "shared_bike_parking"),
            ("address_string", "长宁区某地铁站出口"),
            ("description", "共享单车堆了几十辆，堵住盲道"),
        ],
    );
    assert_eq!(
        again.json()[0]["service_request_id"],
        other.as_str(),
        "idempotent re-submission"
    );
    assert_eq!(list(&mut c, "").len(), 2);
}

#[test]
fn closing_the_clue_closes_the_request_with_the_reply() {
    let s = TestServer::start();
    let mut c = s.client();
    let k = key(&s);
    let id = submit(
        &mut c,
        &[
            ("api_key", &k),
            ("service_code", "disorderly_stalls"),
            ("address_string", "长宁区某处桥下"),
            ("description", "桥下有流动摊贩卖水果"),
            ("phone", "13700001111"),
        ],
    );
    let cid = clue_id(&s, &id);
    let d = actor(&s, Role::Dispatcher);
    let officer = actor(&s, Role::Officer);
    let team = officer.org.id;
    let step = |a: &jingzhi_app::Actor, action: ClueAction, p: Step| s.app.clue_step(a, cid, action, &p).unwrap();
    step(
        &d,
        ClueAction::Dispatch,
        Step {
            org_id: Some(team),
            ..Default::default()
        },
    );
    let q = c.get(&format!("/open311/v2/requests/{id}.json")).json();
    assert_eq!(
        q[0]["agency_responsible"],
        officer.org.name.as_str(),
        "the assigned team"
    );
    assert!(q[0]["status_notes"].as_str().unwrap().contains(&officer.org.name));
    step(&officer, ClueAction::Sign, Step::default());
    step(
        &officer,
        ClueAction::Verify,
        Step {
            verification: Some(Verification::Unfounded),
            text: "内部核查记录：摊主为张某某".into(),
            ..Default::default()
        },
    );
    step(
        &officer,
        ClueAction::Dispose,
        Step {
            disposal: Some(Disposal::NoCase),
            text: "现场未发现设摊".into(),
            ..Default::default()
        },
    );
    step(
        &officer,
        ClueAction::Reply,
        Step {
            text: "经现场核查，未发现无序设摊，将加强巡查。".into(),
            ..Default::default()
        },
    );
    let open = c.get(&format!("/open311/v2/requests/{id}.json")).json();
    assert_eq!(open[0]["status"], "open", "replied but not yet closed");
    step(&d, ClueAction::Close, Step::default());

    let q = c.get(&format!("/open311/v2/requests/{id}.json")).json();
    let q = &q[0];
    assert_eq!(q["status"], "closed");
    let notes = q["status_notes"].as_str().unwrap();
    assert!(
        notes.contains("已办结") && notes.contains("经现场核查，未发现无序设摊"),
        "{notes}"
    );
    assert!(!q.to_string().contains("张某某"), "internal notes stay internal");
    assert!(q["updated_datetime"].as_str().unwrap() >= q["requested_datetime"].as_str().unwrap());
    assert!(q["service_notice"].is_null(), "nothing more to expect");
    let closed = ids_of(&c.get("/open311/v2/requests.json?status=closed"));
    assert_eq!(closed, vec![id.clone()]);
    assert!(ids_of(&c.get("/open311/v2/requests.json?status=open")).is_empty());
    let x = xml(&c.get("/open311/v2/requests.xml?status=closed").text());
    assert_eq!(texts(&x, "service_requests/request/status"), vec!["closed"]);
}

#[test]
fn xml_escapes_special_characters_and_keeps_chinese() {
    let s = TestServer::start();
    let mut c = s.client();
    let k = key(&s);
    let r = post(
        &mut c,
        "xml",
        &[
            ("api_key", &k),
            ("service_code", "renovation_violation"),
            ("address_string", "天山路30弄"),
            ("attribute[compound]", "A&B<花园>"),
            ("attribute[discovered_at]", "2026-01-05T21:30:00+08:00"),
            ("description", "楼上装修 <i>噪声</i> & \"电钻\" 'A&B' 3 < 5\n第二行"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let id = texts(&xml(&r.text()), "service_requests/request/service_request_id")[0].to_string();
    let body = c.get(&format!("/open311/v2/requests/{id}.xml")).text();
    assert!(
        body.contains("&amp;") && body.contains("&quot;") && body.contains("&lt;"),
        "{body}"
    );
    assert!(!body.contains("<i>"), "HTML was stripped on entry");
    let x = xml(&body);
    assert_eq!(
        texts(&x, "service_requests/request/description"),
        vec!["楼上装修 噪声 & \"电钻\" 'A&B' 3 < 5\n第二行"]
    );
    assert_eq!(
        texts(&x, "service_requests/request/address"),
        vec!["天山路30弄（A&B<花园>）"]
    );
    let json = c.get(&format!("/open311/v2/requests/{id}.json")).json();
    assert_eq!(json[0]["address"], "天山路30弄（A&B<花园>）");
    let k = s
        .app
        .store
        .read(|c| jingzhi_store::repo::clues::find_by_no(c, &id))
        .unwrap()
        .unwrap();
    assert_eq!(
        k.discovered_at,
        Some("2026-01-05T13:30:00Z".parse().unwrap()),
        "the discovered_at attribute"
    );
}

#[test]
fn reporters_are_never_shown_and_only_public_reports_are_public() {
    let s = TestServer::start();
    let mut c = s.client();
    let k = key(&s);
    let id = submit(
        &mut c,
        &[
            ("api_key", &k),
            ("service_code", "other"),
            ("address_string", "长宁区某小区"),
            (
                "description",
                "我是王小明，电话13912345678，邻居家在楼道里堆了很多纸箱杂物，存在安全隐患",
            ),
            ("first_name", "小明"),
            ("last_name", "王"),
            ("phone", "139 1234 5678"),
            ("email", "wang.xm@example.com"),
            ("account_id", "u-42"),
        ],
    );
    // Staff registering a public report for a citizen, and a 12345 work order.
    let d = actor(&s, Role::Dispatcher);
    let walk_in = s
        .app
        .register_clue(
            &d,
            &NewClue {
                reporter_name: Some("李建华".into()),
                reporter_phone: Some("021-62345678".into()),
                ..NewClue::new(
                    Channel::PublicReport,
                    "李建华来电：沿街店铺跨门营业，门口摆满货架，联系021-62345678",
                    "长宁区某商业街",
                )
            },
        )
        .unwrap()
        .clue;
    let hotline = s
        .app
        .register_clue(
            &d,
            &NewClue {
                source_ref: Some("GD2026X0001".into()),
                work_order_type: Some(WorkOrderType::Complaint),
                reporter_name: Some("赵女士".into()),
                reporter_phone: Some("13600002222".into()),
                ..NewClue::new(Channel::Hotline12345, "饭店油烟扰民", "长宁区某路")
            },
        )
        .unwrap()
        .clue;

    let clue = s
        .app
        .store
        .read(|c| jingzhi_store::repo::clues::find_by_no(c, &id))
        .unwrap()
        .unwrap();
    assert_eq!(
        clue.reporter_name.as_deref(),
        Some("王小明"),
        "kept for the staff who call back"
    );
    assert_eq!(clue.reporter_phone.as_deref(), Some("13912345678"));
    assert_ne!(clue.matter_code, "other", "其他: the classifier suggested the matter");

    let list = c.get("/open311/v2/requests.json");
    let ids = ids_of(&list);
    assert!(ids.contains(&id) && ids.contains(&walk_in.no), "{ids:?}");
    assert!(!ids.contains(&hotline.no), "12345 work orders are not public");
    assert_eq!(c.get(&format!("/open311/v2/requests/{}.json", hotline.no)).status, 404);
    let one = c.get(&format!("/open311/v2/requests/{id}.json")).json();
    assert!(one[0]["description"].as_str().unwrap().contains("楼道里堆了很多纸箱"));
    let code = one[0]["service_code"].as_str().unwrap();
    let services = c.get("/open311/v2/services.json").json();
    assert!(
        services.as_array().unwrap().iter().any(|x| x["service_code"] == code),
        "shown under a code of the service list: {code}"
    );
    for body in [
        list.text(),
        c.get("/open311/v2/requests.xml").text(),
        c.get(&format!("/open311/v2/requests/{id}.xml")).text(),
        c.get(&format!("/open311/v2/requests/{}.json", walk_in.no)).text(),
        c.get(&format!(
            "/open311/v2/requests.json?service_request_id={id},{}",
            walk_in.no
        ))
        .text(),
    ] {
        for secret in [
            "王小明",
            "13912345678",
            "wang.xm@example.com",
            "u-42",
            "李建华",
            "62345678",
            "赵女士",
            "13600002222",
        ] {
            assert!(!body.contains(secret), "{secret} leaked: {body}");
        }
    }
}
