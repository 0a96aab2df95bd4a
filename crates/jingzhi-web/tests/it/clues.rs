//! Clue intake and dispatch over HTTP: pages, forms, steps, uploads, exports, the JSON API.

use crate::support::*;
use jingzhi_domain::org::Compound;
use jingzhi_domain::role::Role;
use serde_json::{Value, json};

/// A 2×2 red PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x10, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x44, 0x0c, 0x10, 0x0a, 0x00, 0x1f, 0xee, 0x03, 0xfd,
    0x8b, 0x5f, 0x14, 0xd4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn compounds(s: &TestServer) -> Vec<Compound> {
    s.app
        .store
        .read(|c| jingzhi_store::repo::places::list_compounds(c, None, None))
        .unwrap()
}

fn compound(s: &TestServer, name: &str) -> Compound {
    compounds(s).into_iter().find(|c| c.name == name).unwrap()
}

fn org_id(s: &TestServer, code: &str) -> i64 {
    s.app
        .store
        .read(jingzhi_store::repo::places::list_orgs)
        .unwrap()
        .into_iter()
        .find(|o| o.code == code)
        .unwrap_or_else(|| panic!("no org {code}"))
        .id
}

fn csrf(c: &mut Client) -> String {
    csrf_in(&c.get("/").text()).unwrap()
}

/// Registers a clue through the API (session + CSRF header) and returns the answer.
fn api_register(c: &mut Client, body: Value) -> Resp {
    let t = csrf(c);
    c.post_json("/api/v1/clues", body, &[("X-CSRF-Token", &t)])
}

/// A clue nobody can place (no compound, no known road): it waits in 待受理.
fn unplaced(c: &mut Client, text: &str, source_ref: &str) -> i64 {
    let r = api_register(
        c,
        json!({"channel": "hotline_12345", "source_ref": source_ref, "description": text,
               "address": "长宁区某小路口", "reporter_name": "王先生", "reporter_phone": "13812345678"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let j = r.json();
    assert_eq!(j["clue"]["status"], "registered", "{j}");
    j["clue"]["id"].as_i64().unwrap()
}

fn location(r: &Resp) -> String {
    r.header("location").unwrap_or_default().to_string()
}

#[test]
fn a_dispatcher_registers_through_the_form_and_a_resubmission_through_the_api_changes_nothing() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Dispatcher);
    let page = c.get("/clues/new").text();
    assert!(page.contains("登记线索") && page.contains("name=\"source_ref\""));
    assert!(
        page.contains("<option value=\"hotline_12345\" selected>"),
        "12345 preselected for a dispatcher"
    );
    let cp = compound(&s, "华阳小区");
    let t = c.csrf_of("/clues/new");
    let id = cp.id.to_string();
    let r = c.post_form(
        "/clues",
        &[
            ("_csrf", &t),
            ("channel", "hotline_12345"),
            ("source_ref", "GD20261101001"),
            ("work_order_type", "complaint"),
            (
                "description",
                "楼下饭店油烟太大，排烟管道直接对着居民楼，每天晚上熏得窗都不敢开",
            ),
            ("address", ""),
            ("compound_id", &id),
            ("crs", "gcj02"),
            ("reporter_name", "张女士"),
            ("reporter_phone", "13800000001"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let to = location(&r);
    assert!(to.starts_with("/clues/") && to.contains("msg="), "{to}");
    let page = c.get(&to).text();
    assert!(page.contains("已登记线索XS"), "flash");
    assert!(page.contains("餐饮油烟"), "classified");
    assert!(page.contains("华阳路街道"), "located in the compound's street");
    let clue_id: i64 = to
        .trim_start_matches("/clues/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let v = c.get(&format!("/api/v1/clues/{clue_id}")).json();
    let reason = v["clue"]["locate_reason"].as_str().unwrap();
    assert!(
        !reason.is_empty() && page.contains(reason),
        "the route and why: {reason}"
    );
    assert!(page.contains("13800000001"), "the dispatcher calls reporters back");
    assert!(page.contains("求助投诉"), "work order type");
    assert!(page.contains("id=\"timeline\""));
    let again = api_register(
        &mut c,
        json!({"channel": "hotline_12345", "source_ref": "GD20261101001", "description": "同一工单再次推送", "address": "华阳路112弄"}),
    );
    assert_eq!(again.status, 200, "{}", again.text());
    let j = again.json();
    assert_eq!(j["created"], false);
    assert_eq!(j["clue"]["id"], clue_id);
    let fresh = api_register(
        &mut c,
        json!({"channel": "patrol", "description": "人行道上有流动摊贩卖水果", "address": "长宁区某小路口", "matter_code": "disorderly_stalls"}),
    );
    assert_eq!(fresh.status, 201, "{}", fresh.text());
    let j = fresh.json();
    assert_eq!(j["created"], true);
    assert_eq!(j["clue"]["matter_name"], "无序设摊");
    assert!(j["clue"]["no"].as_str().unwrap().starts_with("XS"));
    let bad = api_register(&mut c, json!({"channel": "carrier_pigeon", "description": "x"}));
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["code"], "validation_failed");
}

#[test]
fn a_form_with_mistakes_comes_back_with_what_was_typed() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Dispatcher);
    let t = c.csrf_of("/clues/new");
    let r = c.post_form(
        "/clues",
        &[
            ("_csrf", &t),
            ("channel", "public_report"),
            ("description", "夜里工地还在打桩"),
            ("address", "天山路300号"),
            ("lng", "东经121度"),
            ("lat", "31.2"),
            ("reporter_phone", "13900001111"),
        ],
    );
    assert_eq!(r.status, 422);
    let page = r.text();
    assert!(page.contains("经纬度应为数字"), "{page}");
    assert!(page.contains(">夜里工地还在打桩</textarea>"), "description kept");
    assert!(page.contains("value=\"天山路300号\""), "address kept");
    assert!(page.contains("value=\"13900001111\""), "phone kept");
    assert!(
        page.contains("<option value=\"public_report\" selected>"),
        "channel kept"
    );
    let r = c.post_form(
        "/clues",
        &[
            ("_csrf", &t),
            ("channel", "public_report"),
            ("description", "  "),
            ("address", "天山路300号"),
            ("reporter_phone", "电话号码"),
        ],
    );
    assert_eq!(r.status, 422);
    let page = r.text();
    assert!(page.contains("请填写问题描述"), "the app's own check");
    assert!(page.contains("联系电话格式不正确"), "every field error at once");
    assert!(page.contains("value=\"天山路300号\""));
    let list = c.get("/api/v1/clues").json();
    assert_eq!(list["total"], 0, "nothing registered");
}

#[test]
fn queues_show_counts_and_search_finds_two_character_words() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Dispatcher);
    let page = c.get("/clues").text();
    assert!(page.contains("待受理暂无线索"), "empty state");
    let fumes = unplaced(&mut c, "饭店油烟扰民严重，晚上熏得开不了窗", "GD1");
    let noise = unplaced(&mut c, "工地夜间施工噪声很大，影响休息", "GD2");
    let page = c.get("/clues?queue=to_accept").text();
    assert!(
        page.contains("待受理 <span class=\"count\">2</span>"),
        "tab with its count"
    );
    assert!(page.contains(&format!("href=\"/clues/{fumes}\"")) && page.contains(&format!("href=\"/clues/{noise}\"")));
    let page = c.get("/clues?queue=all&q=%E6%B2%B9%E7%83%9F").text();
    assert!(
        page.contains(&format!("href=\"/clues/{fumes}\"")),
        "油烟 finds the fumes clue"
    );
    assert!(
        !page.contains(&format!("href=\"/clues/{noise}\"")),
        "and not the noise clue"
    );
    assert!(page.contains("共 1 条"));
    let page = c.get("/clues?queue=all&q=%E5%9E%83%E5%9C%BE").text();
    assert!(page.contains("没有符合条件的线索"), "垃圾: nothing");
    let j = c.get("/api/v1/clues?q=%E6%B2%B9%E7%83%9F").json();
    assert_eq!(j["total"], 1);
    assert_eq!(j["items"][0]["id"], fumes);
    let j = c.get("/api/v1/clues?queue=to_accept&channel=hotline_12345").json();
    assert_eq!(j["total"], 2);
    let r = c.get("/api/v1/clues?queue=nonsense");
    assert_eq!(r.status, 422);
    let home = c.get("/").text();
    assert!(home.contains("线索 · 待受理"), "queue counts on the home page");
    assert!(home.contains("href=\"/clues?queue=to_accept\""));
    let officer = s.signed_in(Role::Officer).get("/clues").text();
    assert!(!officer.contains("待受理"), "officers do not accept");
    assert!(officer.contains("待签收"));
}

#[test]
fn steps_need_the_csrf_token_and_errors_come_back_on_the_clue_page() {
    let s = TestServer::start();
    let mut d = s.signed_in(Role::Dispatcher);
    let id = unplaced(&mut d, "有人在人行道上摆摊卖水果，占了半条人行道", "GD3");
    let r = d.post_form(&format!("/clues/{id}/step/accept"), &[]);
    assert_eq!(r.status, 403, "no CSRF token");
    let t = d.csrf_of(&format!("/clues/{id}"));
    let r = d.post_form(&format!("/clues/{id}/step/accept"), &[("_csrf", &t)]);
    assert_eq!(r.status, 303);
    assert_eq!(location(&r), format!("/clues/{id}?done=accept"));
    let page = d.get(&location(&r)).text();
    assert!(page.contains("已受理。"));
    assert!(page.contains(">待派单</span>"), "status shown");
    // The dispatcher puts it in 华阳路街道; the dispatch form then preselects that street's team.
    let r = d.post_form(
        &format!("/clues/{id}/step/relocate"),
        &[("_csrf", &t), ("street_code", "310105001"), ("reason", "地址在定西路")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let team = org_id(&s, "team-310105001");
    let page = d.get(&format!("/clues/{id}")).text();
    assert!(
        page.contains(&format!("<option value=\"{team}\" selected>")),
        "the street's team is preselected"
    );
    let team_s = team.to_string();
    let r = d.post_form(
        &format!("/clues/{id}/step/dispatch"),
        &[("_csrf", &t), ("org_id", &team_s)],
    );
    assert_eq!(r.status, 303);
    // The officer of that team: 退单 without a reason is refused on the clue page itself.
    let mut o = s.signed_in(Role::Officer);
    let ot = o.csrf_of(&format!("/clues/{id}"));
    let r = o.post_form(
        &format!("/clues/{id}/step/send_back"),
        &[("_csrf", &ot), ("reason", " ")],
    );
    assert_eq!(r.status, 422);
    let page = r.text();
    assert!(page.contains("退单须写明理由"));
    assert!(page.contains("线索 XS"), "the clue page, not an error page");
    let r = o.post_form(&format!("/clues/{id}/step/sign"), &[("_csrf", &ot)]);
    assert_eq!(r.status, 303);
    let r = o.post_form(
        &format!("/clues/{id}/step/verify"),
        &[("_csrf", &ot), ("text", "现场有两处摊位")],
    );
    assert_eq!(r.status, 422);
    let page = r.text();
    assert!(page.contains("请选择核查结论（属实/不属实）"));
    assert!(page.contains(">现场有两处摊位</textarea>"), "the note typed is kept");
    let r = o.post_form(
        &format!("/clues/{id}/step/dispose"),
        &[("_csrf", &ot), ("disposal", "file_case")],
    );
    assert_eq!(r.status, 422, "not yet verified");
    // An officer may not accept (a dispatcher's step): refused, with the reason.
    let r = o.post_form(&format!("/clues/{id}/step/accept"), &[("_csrf", &ot)]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("无权受理"));
    let r = o.post_form(&format!("/clues/{id}/step/fly_away"), &[("_csrf", &ot)]);
    assert_eq!(r.status, 404);
}

#[test]
fn the_api_takes_steps_and_shows_clocks_timeline_and_allowed_steps() {
    let s = TestServer::start();
    let mut d = s.signed_in(Role::Dispatcher);
    let id = unplaced(&mut d, "小区门口有人乱贴小广告", "GD4");
    let t = csrf(&mut d);
    let v = d.get(&format!("/api/v1/clues/{id}")).json();
    assert_eq!(v["clue"]["no"].as_str().unwrap().len(), 12);
    let rules: Vec<&str> = v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["hotline_complaint_5wd", "report_feedback_5wd"]);
    assert!(
        v["clocks"][0]["deadline"]["explanation"]
            .as_str()
            .unwrap()
            .contains("5个工作日")
    );
    let allowed: Vec<&str> = v["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert!(
        allowed.contains(&"accept") && allowed.contains(&"dispatch"),
        "{allowed:?}"
    );
    assert_eq!(v["timeline"][0]["action"], "register");
    let r = d.post_bytes(
        &format!("/api/v1/clues/{id}/steps/accept"),
        "application/json",
        b"",
        &[("X-CSRF-Token", &t)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "accepted");
    let r = d.post_json(
        &format!("/api/v1/clues/{id}/steps/return_to_source"),
        json!({}),
        &[("X-CSRF-Token", &t)],
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["fields"][0]["field"], "reason");
    let team = org_id(&s, "team-310105002");
    let r = d.post_json(
        &format!("/api/v1/clues/{id}/steps/dispatch"),
        json!({"org_id": team}),
        &[("X-CSRF-Token", &t)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "dispatched");
    assert_eq!(r.json()["street_code"], "310105002");
    let r = d.post_json(
        &format!("/api/v1/clues/{id}/steps/teleport"),
        json!({}),
        &[("X-CSRF-Token", &t)],
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], "not_found");
    let v = d.get(&format!("/api/v1/clues/{id}")).json();
    let actions: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["register", "accept", "dispatch"]);
}

#[test]
fn a_property_company_reports_with_a_photo_and_cannot_open_another_companys_clue() {
    let s = TestServer::start();
    let mut p = s.signed_in(Role::PropertyStaff);
    let me = p.get("/api/v1/me").json();
    let company = me["org"]["id"].as_i64().unwrap();
    let all = compounds(&s);
    let mine = all.iter().find(|c| c.property_company_id == Some(company)).unwrap();
    let other = all
        .iter()
        .find(|c| c.property_company_id.is_some() && c.property_company_id != Some(company))
        .unwrap();
    let form = p.get("/clues/new").text();
    assert!(form.contains("物业报告") && form.contains("违规装修") && form.contains("name=\"photo\""));
    assert!(
        form.contains(&mine.name) && !form.contains(&other.name),
        "only its own compounds"
    );
    let t = csrf_in(&form).unwrap();
    let mine_id = mine.id.to_string();
    let r = p.post_multipart(
        "/clues",
        &[
            ("_csrf", &t),
            ("compound_id", &mine_id),
            ("matter_code", "renovation_violation"),
            ("description", "5号302室装修时晚上九点还在电钻施工，劝阻无效"),
            ("address", "5号302室"),
            ("discovered_at", "2026-03-02T20:30"),
        ],
        &[FilePart {
            field: "photo",
            filename: "site.png",
            content_type: "image/png",
            bytes: PNG,
        }],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let to = location(&r);
    let page = p.get(&to).text();
    assert!(page.contains("违规装修") && page.contains("物业报告"));
    assert!(
        page.contains(&format!("{}5号302室", mine.address)),
        "address = compound + where"
    );
    assert!(page.contains("site.png"), "the photo is attached");
    let mine_list = p.get("/clues").text();
    assert!(mine_list.contains("我的上报 <span class=\"count\">1</span>"));
    assert!(!mine_list.contains("全部线索"), "partners see only their reports");
    assert!(!mine_list.contains("导出Excel"), "partners do not export");
    // Another company's compound: refused by the form, and its clue cannot be opened.
    let other_id = other.id.to_string();
    let r = p.post_multipart(
        "/clues",
        &[
            ("_csrf", &t),
            ("compound_id", &other_id),
            ("description", "有人占用楼道堆放杂物"),
        ],
        &[],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("只能上报本企业管理的小区") || r.text().contains("不在您的数据范围内"));
    let mut d = s.signed_in(Role::Dispatcher);
    let theirs = api_register(
        &mut d,
        json!({"channel": "hotline_12345", "source_ref": "GD5", "description": "楼道里堆满杂物", "address": other.address, "compound_id": other.id}),
    )
    .json()["clue"]["id"]
        .as_i64()
        .unwrap();
    let r = p.get(&format!("/clues/{theirs}"));
    assert_eq!(r.status, 403);
    assert!(r.text().contains("该记录不在您的数据范围内"));
    let r = p.get(&format!("/api/v1/clues/{theirs}"));
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "out_of_scope");
    // The company's own photo is visible to it; another clue's attachment is not.
    let dt = csrf(&mut d);
    let r = d.post_multipart(
        &format!("/clues/{theirs}/attachments"),
        &[("_csrf", &dt)],
        &[FilePart {
            field: "file",
            filename: "x.png",
            content_type: "image/png",
            bytes: PNG,
        }],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let att = d.get(&format!("/api/v1/clues/{theirs}")).json()["attachments"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(p.get(&format!("/clues/files/{att}")).status, 403);
}

#[test]
fn attachments_upload_list_and_download_the_same_bytes() {
    let s = TestServer::start();
    let mut d = s.signed_in(Role::Dispatcher);
    let id = unplaced(&mut d, "饭店油烟扰民", "GD6");
    let t = csrf(&mut d);
    let r = d.post_multipart(
        &format!("/clues/{id}/attachments"),
        &[("_csrf", &t)],
        &[FilePart {
            field: "file",
            filename: "photo1.png",
            content_type: "image/png",
            bytes: PNG,
        }],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(location(&r), format!("/clues/{id}?done=attach"));
    let page = d.get(&format!("/clues/{id}")).text();
    assert!(page.contains("photo1.png") && page.contains("class=\"thumb\""));
    let v = d.get(&format!("/api/v1/clues/{id}")).json();
    let att = &v["attachments"][0];
    assert_eq!(att["size"], PNG.len());
    let r = d.get(&format!("/clues/files/{}", att["id"]));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.body, PNG);
    let r = d.post_multipart(
        &format!("/clues/{id}/attachments"),
        &[("_csrf", &t)],
        &[FilePart {
            field: "file",
            filename: "tool.exe",
            content_type: "application/x-msdownload",
            bytes: b"MZ",
        }],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("不支持的文件类型"));
    let r = d.post_multipart(&format!("/clues/{id}/attachments"), &[("_csrf", &t)], &[]);
    assert_eq!(r.status, 422);
    assert!(r.text().contains("请选择要上传的文件"));
    let r = d.post_multipart(
        &format!("/clues/{id}/attachments"),
        &[],
        &[FilePart {
            field: "file",
            filename: "p.png",
            content_type: "image/png",
            bytes: PNG,
        }],
    );
    assert_eq!(r.status, 403, "uploads need the CSRF token too");
}

#[test]
fn a_queue_exports_to_excel_with_overdue_clues_marked() {
    let s = TestServer::start();
    let mut d = s.signed_in(Role::Dispatcher);
    unplaced(&mut d, "工地夜间施工噪声很大", "GD7");
    // Received three weeks ago: its five working days are over.
    let r = api_register(
        &mut d,
        json!({"channel": "hotline_12345", "source_ref": "GD8", "description": "饭店油烟扰民，多次投诉无果",
               "address": "长宁区某小路口", "received_at": "2026-03-02T09:00"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let late = r.json()["clue"]["no"].as_str().unwrap().to_string();
    let page = d.get("/clues?queue=overdue").text();
    assert!(
        page.contains(&late) && page.contains("class=\"overdue\">已超期"),
        "{page}"
    );
    let r = d.get("/clues.xlsx?queue=to_accept");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let rows = jingzhi_office::read_xlsx_rows(&r.body).unwrap();
    assert_eq!(rows[0][0], "线索 · 待受理（共2条）");
    let header = rows
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("编号"))
        .unwrap();
    let data = &rows[header + 1..];
    assert_eq!(data.len(), 2);
    let overdue = data.iter().find(|r| r[0] == late).unwrap();
    assert_eq!(overdue[8], "已超期");
    assert_eq!(overdue[1], "12345工单");
    let r = d.get("/clues.xlsx?queue=to_accept&q=%E6%B2%B9%E7%83%9F");
    let rows = jingzhi_office::read_xlsx_rows(&r.body).unwrap();
    assert_eq!(rows[0][0], "线索 · 待受理（共1条）", "the export follows the search");
    let r = s.signed_in(Role::PropertyStaff).get("/clues.xlsx");
    assert_eq!(r.status, 403, "partners do not export");
}

const GOOD_CSV: &str = "工单编号,受理时间,诉求类型,诉求内容,事发地址,联系人,联系电话,是否匿名\n\
GD2026030201,2026-03-01 09:30,投诉,楼下饭店油烟太大熏得不行,长宁区仙霞路100号,张女士,13800000001,否\n\
GD2026030202,2026/3/1 10:05,举报,工地晚上十一点还在施工，噪音很大,长宁区天山路300号,,,是\n";

#[test]
fn a_12345_import_is_checked_first_and_lists_every_bad_row() {
    let s = TestServer::start();
    let mut d = s.signed_in(Role::Dispatcher);
    let page = d.get("/clues/import").text();
    assert!(page.contains("工单编号") && page.contains("只校验"));
    let t = csrf_in(&page).unwrap();
    let bad = format!(
        "{GOOD_CSV}GD2026030201,2026-03-01 12:00,投诉,重复编号,某路\n,2026-03-01,投诉,没有编号,某路\nGD9,明天,表扬,好,某路\n"
    );
    let r = d.post_multipart(
        "/clues/import",
        &[("_csrf", &t), ("dry_run", "on")],
        &[FilePart {
            field: "file",
            filename: "gd.csv",
            content_type: "text/csv",
            bytes: bad.as_bytes(),
        }],
    );
    assert_eq!(r.status, 422);
    let page = r.text();
    for want in [
        "第4行（工单GD2026030201）：工单编号与第2行重复",
        "第5行：缺少工单编号",
        "第6行（工单GD9）：受理时间“明天”无法识别",
        "诉求类型“表扬”无法识别",
    ] {
        assert!(page.contains(want), "missing {want}");
    }
    assert!(page.contains("处错误，未导入任何工单"));
    let r = d.post_multipart(
        "/clues/import",
        &[("_csrf", &t), ("dry_run", "on")],
        &[FilePart {
            field: "file",
            filename: "gd.csv",
            content_type: "text/csv",
            bytes: GOOD_CSV.as_bytes(),
        }],
    );
    assert_eq!(r.status, 200);
    assert!(r.text().contains("校验通过（未导入）：gd.csv 共2行工单，其中新工单2条"));
    assert_eq!(d.get("/api/v1/clues").json()["total"], 0, "a dry run writes nothing");
    let r = d.post_multipart(
        "/clues/import",
        &[("_csrf", &t)],
        &[FilePart {
            field: "file",
            filename: "gd.csv",
            content_type: "text/csv",
            bytes: GOOD_CSV.as_bytes(),
        }],
    );
    assert_eq!(r.status, 200);
    assert!(r.text().contains("新登记线索2条"));
    assert_eq!(d.get("/api/v1/clues").json()["total"], 2);
    // The API: a raw CSV body, again: nothing new.
    let at = csrf(&mut d);
    let r = d.post_bytes(
        "/api/v1/clues/import-12345?dry_run=true",
        "text/csv",
        GOOD_CSV.as_bytes(),
        &[("X-CSRF-Token", &at)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(
        (j["rows"].as_i64(), j["new"].as_i64(), j["existing"].as_i64()),
        (Some(2), Some(0), Some(2))
    );
    let r = d.post_bytes(
        "/api/v1/clues/import-12345",
        "text/csv",
        bad.as_bytes(),
        &[("X-CSRF-Token", &at)],
    );
    assert_eq!(r.status, 422);
    let j = r.json();
    assert_eq!(j["code"], "import_rejected");
    assert!(j["fields"].as_array().unwrap().len() >= 3, "{j}");
    // An xlsx file through the API's multipart form.
    let lines: Vec<Vec<String>> = GOOD_CSV
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let xlsx = jingzhi_office::write_xlsx(&[jingzhi_office::Sheet {
        name: "工单".into(),
        title: String::new(),
        headers: lines[0].clone(),
        rows: lines[1..]
            .iter()
            .map(|r| r.iter().map(|c| jingzhi_office::Cell::from(c.as_str())).collect())
            .collect(),
        red_rows: vec![],
    }])
    .unwrap();
    let file = [FilePart {
        field: "file",
        filename: "gd.xlsx",
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes: &xlsx,
    }];
    // (A small body: the server refuses before reading it, and a large one still being sent
    // then meets a closed connection instead of the 403. The refusal says `Connection: close`,
    // so the next request on this client opens a new connection instead of meeting a closed one.)
    let r = d.post_bytes("/api/v1/clues/import-12345?dry_run=true", "text/csv", b"x", &[]);
    assert_eq!(r.status, 403, "a session's API write needs the CSRF header");
    assert_eq!(r.header("connection"), Some("close"));
    let r = d.post_multipart_with(
        "/api/v1/clues/import-12345",
        &[("dry_run", "true")],
        &file,
        &[("X-CSRF-Token", &at)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(
        (j["dry_run"].as_bool(), j["rows"].as_i64(), j["existing"].as_i64()),
        (Some(true), Some(2), Some(2))
    );
    // The reply export has the import's columns first, the header in the first row.
    let r = d.get("/clues/export-12345?from=2026-03-01&to=2026-03-01");
    assert_eq!(r.status, 200);
    let rows = jingzhi_office::read_xlsx_rows(&r.body).unwrap();
    assert_eq!(
        rows[0],
        jingzhi_app::hotline::EXPORT_HEADERS
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][0], "GD2026030201");
    assert!(rows[1][5].starts_with("XS"));
    let mut p = s.signed_in(Role::PropertyStaff);
    assert_eq!(
        p.get("/clues/import").status,
        403,
        "partners neither import nor export 12345 files"
    );
    let officer_page = s.signed_in(Role::Officer).get("/clues/import").text();
    assert!(
        !officer_page.contains("id=\"import-submit\""),
        "officers may export but not import"
    );
}

#[test]
fn the_classify_api_answers_the_classifier_json() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Officer);
    let t = csrf(&mut c);
    let r = c.post_json(
        "/api/v1/classify",
        json!({"text": "楼下饭店油烟太大，熏得窗都不敢开"}),
        &[("X-CSRF-Token", &t)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    let mut keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        vec!["alternatives", "confidence", "matter", "out_of_remit", "reasons"]
    );
    assert_eq!(j["matter"], json!({"code": "catering_fumes", "name": "餐饮油烟"}));
    assert!(j["confidence"].as_f64().unwrap() > 0.5);
    assert!(
        j["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("油烟"))
    );
    assert!(j["out_of_remit"].is_null());
    let j = c
        .post_json(
            "/api/v1/classify",
            json!({"text": "物业公司乱收物业费，还不给开发票，物业服务很差"}),
            &[("X-CSRF-Token", &t)],
        )
        .json();
    assert_eq!(j["matter"]["code"], "other");
    assert_eq!(j["out_of_remit"]["suggested_department"], "housing");
    let r = c.post_json("/api/v1/classify", json!({"text": " "}), &[("X-CSRF-Token", &t)]);
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["code"], "validation_failed");
    let r = c.post_json("/api/v1/classify", json!({"words": "x"}), &[("X-CSRF-Token", &t)]);
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["code"], "bad_request", "JSON errors in the API's shape");
}

#[test]
fn the_openapi_document_lists_the_clue_endpoints() {
    let s = TestServer::start();
    let doc = s.client().get("/api/v1/openapi.json").json();
    let paths = doc["paths"].as_object().unwrap();
    for (p, m) in [
        ("/api/v1/clues", "post"),
        ("/api/v1/clues", "get"),
        ("/api/v1/clues/{id}", "get"),
        ("/api/v1/clues/{id}/steps/{action}", "post"),
        ("/api/v1/classify", "post"),
        ("/api/v1/clues/import-12345", "post"),
        ("/api/v1/matters", "get"),
    ] {
        assert!(paths.get(p).and_then(|x| x.get(m)).is_some(), "missing {m} {p}");
    }
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["Classification"]["properties"]["out_of_remit"].is_object());
    assert!(schemas["ClueDto"]["properties"]["locate_reason"].is_object());
}

#[test]
fn the_matter_catalogue_is_shown_to_everyone_and_edited_by_the_administrator() {
    let s = TestServer::start();
    let mut g = s.signed_in(Role::GridWorker);
    let page = g.get("/matters").text();
    assert!(page.contains("餐饮油烟") && page.contains("破坏房屋承重结构"));
    assert!(page.contains("待核实"), "unconfirmed matters are marked");
    assert!(page.contains("取证清单"));
    let page = g.get("/matters/catering_fumes").text();
    assert!(!page.contains("name=\"definition\""), "only the administrator edits");
    let j = g.get("/api/v1/matters").json();
    let fumes = j
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "catering_fumes")
        .unwrap();
    assert_eq!(fumes["name"], "餐饮油烟");
    assert!(!fumes["legal_basis"].as_array().unwrap().is_empty());
    let mut a = s.signed_in(Role::Admin);
    let page = a.get("/matters/catering_fumes").text();
    assert!(page.contains("name=\"definition\"") && page.contains("code = &#34;catering_fumes&#34;"));
    let t = csrf_in(&page).unwrap();
    let r = a.post_form(
        "/matters/catering_fumes",
        &[
            ("_csrf", &t),
            ("definition", "[[matter]]\ncode = \"catering_fumes\"\nname = "),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("格式错误"));
    assert!(r.text().contains("name = </textarea>"), "what was typed is kept");
    let gt = csrf(&mut g);
    let r = g.post_form("/matters/catering_fumes", &[("_csrf", &gt), ("definition", "x")]);
    assert_eq!(r.status, 403);
    assert_eq!(g.get("/matters/no_such_matter").status, 404);
}

#[test]
fn out_of_remit_clues_come_with_the_department_and_reply_and_repeats_link_by_number() {
    let s = TestServer::start();
    let mut d = s.signed_in(Role::Dispatcher);
    let id = unplaced(&mut d, "物业公司乱收物业费，还不给开发票，物业服务很差", "GD10");
    let page = d.get(&format!("/clues/{id}")).text();
    assert!(page.contains("不属城管职责"), "the out-of-remit suggestion");
    let housing = org_id(&s, "dept-housing");
    assert!(
        page.contains(&format!(
            "<option value=\"{housing}\" selected>长宁区房屋管理局</option>"
        )),
        "the transfer form preselects the suggested department"
    );
    assert!(
        page.contains("id=\"transfer_out-reason\" name=\"reason\" rows=\"2\">您反映的"),
        "reason prefilled with the reply"
    );
    let t = csrf_in(&page).unwrap();
    let h = housing.to_string();
    let r = d.post_form(
        &format!("/clues/{id}/step/transfer_out"),
        &[("_csrf", &t), ("org_id", &h), ("reason", "物业服务纠纷属房管部门职责")],
    );
    assert_eq!(r.status, 303);
    let page = d.get(&location(&r)).text();
    assert!(page.contains(">已移送部门</span>") && page.contains("移送长宁区房屋管理局"));
    let mut l = s.signed_in(Role::DepartmentLiaison);
    let list = l.get("/clues?queue=transferred").text();
    assert!(
        list.contains("移送本部门 <span class=\"count\">1</span>"),
        "the department sees it"
    );
    // Two reports of one problem: the second is linked to the first by its number.
    let first = unplaced(&mut d, "有人在小区绿地里种菜，毁坏绿化", "GD11");
    let second = unplaced(&mut d, "工地渣土车撒漏，路面全是泥", "GD12");
    let first_no = d.get(&format!("/api/v1/clues/{first}")).json()["clue"]["no"]
        .as_str()
        .unwrap()
        .to_string();
    let r = d.post_form(
        &format!("/clues/{second}/step/link"),
        &[("_csrf", &t), ("primary_no", "XS2099999999")],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("未找到线索XS2099999999"));
    let r = d.post_form(
        &format!("/clues/{second}/step/link"),
        &[("_csrf", &t), ("primary_no", &first_no.to_lowercase())],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = d.get(&format!("/clues/{second}")).text();
    assert!(page.contains(">已并案</span>") && page.contains(&format!("href=\"/clues/{first}\">{first_no}</a>")));
    let page = d.get(&format!("/clues/{first}")).text();
    assert!(page.contains("重复投诉 1"), "the primary counts the repeat");
    let list = d.get("/clues?queue=repeated").text();
    assert!(list.contains(&first_no) && list.contains("重复 1"));
}

#[test]
fn a_grid_worker_reports_from_the_street() {
    let s = TestServer::start();
    let mut g = s.signed_in(Role::GridWorker);
    let page = g.get("/clues/new").text();
    assert!(page.contains("网格上报") && page.contains("无序设摊") && page.contains("坐标（可选）"));
    let t = csrf_in(&page).unwrap();
    let r = g.post_multipart(
        "/clues",
        &[
            ("_csrf", &t),
            ("description", "路口有三个流动摊贩卖水果"),
            ("address", ""),
        ],
        &[],
    );
    assert_eq!(r.status, 422, "no place given");
    assert!(r.text().contains(">路口有三个流动摊贩卖水果</textarea>"));
    let r = g.post_multipart(
        "/clues",
        &[
            ("_csrf", &t),
            ("matter_code", "disorderly_stalls"),
            ("description", "路口有三个流动摊贩卖水果"),
            ("address", "定西路愚园路口"),
        ],
        &[],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let id: i64 = location(&r)
        .trim_start_matches("/clues/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let j = g.get(&format!("/api/v1/clues/{id}")).json();
    assert_eq!(j["clue"]["channel"], "grid_report");
    assert_eq!(j["clue"]["matter_code"], "disorderly_stalls");
    let list = g.get("/clues").text();
    assert!(list.contains("我的上报 <span class=\"count\">1</span>"));
}
