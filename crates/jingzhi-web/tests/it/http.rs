//! HTTP behaviour: sign-in, sessions, CSRF, forms, the API and its errors, OpenAPI, metrics,
//! health, exports, headers, scoping.

use crate::support::*;
use jingzhi_domain::role::Role;

#[test]
fn sign_in_and_out_with_session_cookie() {
    let s = TestServer::start();
    let mut c = s.client();
    let r = c.get("/");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login?next=/"));
    let a = s.account(Role::Dispatcher);
    let r = c.login(&a.username, &a.password);
    assert_eq!(r.header("location"), Some("/"));
    let set = r
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.as_str())
        .find(|v| v.starts_with("jz_session="))
        .unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let home = c.get("/");
    assert_eq!(home.status, 200);
    let html = home.text();
    assert!(html.contains("陈静，您好"), "{html}");
    assert!(html.contains("派单"), "role text for the dispatcher");
    let csrf = csrf_in(&html).unwrap();
    let r = c.post_form("/logout", &[("_csrf", &csrf)]);
    assert_eq!(r.status, 303);
    assert_eq!(c.get("/").status, 303, "signed out");
}

#[test]
fn wrong_password_keeps_the_username_and_says_why_in_chinese() {
    let s = TestServer::start();
    let mut c = s.client();
    let csrf = c.csrf_of("/login");
    let r = c.post_form(
        "/login",
        &[
            ("_csrf", &csrf),
            ("next", "/"),
            ("username", "officer"),
            ("password", "nope"),
        ],
    );
    assert_eq!(r.status, 401);
    let t = r.text();
    assert!(t.contains("用户名或密码错误"));
    assert!(t.contains("value=\"officer\""), "typed username kept");
}

#[test]
fn login_without_its_csrf_token_is_refused() {
    let s = TestServer::start();
    let mut c = s.client();
    let a = s.account(Role::Admin);
    let r = c.post_form("/login", &[("username", &a.username), ("password", &a.password)]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("页面已过期"));
}

#[test]
fn state_changing_forms_need_the_session_csrf_token_and_same_origin() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Admin);
    let r = c.post_form(
        "/admin/orgs",
        &[("kind", "department"), ("code", "dept-x"), ("name", "x")],
    );
    assert_eq!(r.status, 403);
    assert!(r.text().contains("页面已过期或来源不明"));
    let csrf = c.csrf_of("/admin/orgs/new");
    let r = c.post_form_with(
        "/admin/orgs",
        &[
            ("_csrf", &csrf),
            ("kind", "department"),
            ("code", "dept-x"),
            ("name", "x"),
            ("department_kind", "other_department"),
        ],
        &[("Origin", "http://evil.example")],
    );
    assert_eq!(r.status, 403, "cross-site POST");
    let r = c.post_form(
        "/admin/orgs",
        &[
            ("_csrf", &csrf),
            ("kind", "department"),
            ("code", "dept-x"),
            ("name", "新部门"),
            ("department_kind", "other_department"),
            ("active", "on"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(c.get("/admin/orgs?q=新部门").text().contains("dept-x"));
}

#[test]
fn invalid_forms_keep_what_was_typed_and_mark_the_fields() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Admin);
    let csrf = c.csrf_of("/admin/users/new");
    let r = c.post_form(
        "/admin/users",
        &[
            ("_csrf", &csrf),
            ("username", "Bad Name"),
            ("display_name", "王小二"),
            ("org_id", ""),
            ("roles", "officer"),
            ("phone", "12"),
        ],
    );
    assert_eq!(r.status, 422);
    let t = r.text();
    assert!(t.contains("value=\"王小二\""), "name kept");
    assert!(t.contains("value=\"Bad Name\""), "username kept");
    assert!(t.contains("用户名应为3至32位"), "username error");
    assert!(t.contains("执法队员和队长须填写执法证号"));
    assert!(t.contains("电话号码格式不正确"));
    assert!(t.contains("value=\"officer\" checked"), "role choice kept");
}

#[test]
fn creating_a_user_shows_a_one_time_password_that_forces_a_change() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Admin);
    let csrf = c.csrf_of("/admin/users/new");
    let org = s
        .app
        .store
        .read(|x| jingzhi_store::repo::places::find_org_by_code(x, "dispatch"))
        .unwrap()
        .unwrap();
    let r = c.post_form(
        "/admin/users",
        &[
            ("_csrf", &csrf),
            ("username", "new.one"),
            ("display_name", "新人"),
            ("org_id", &org.id.to_string()),
            ("roles", "dispatcher"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.text();
    let pw = t
        .split("id=\"secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let mut other = s.client();
    let r = other.login("new.one", &pw);
    assert_eq!(r.header("location"), Some("/account/password"));
    assert_eq!(
        other.get("/admin").header("location"),
        Some("/account/password"),
        "nothing else until changed"
    );
    let csrf = csrf_in(&other.get("/account/password").text()).unwrap();
    let r = other.post_form(
        "/account/password",
        &[
            ("_csrf", &csrf),
            ("current", &pw),
            ("new", "Changning-2026!"),
            ("confirm", "Changning-2027!"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("两次输入的新密码不一致"));
    let r = other.post_form(
        "/account/password",
        &[
            ("_csrf", &csrf),
            ("current", &pw),
            ("new", "Changning-2026!"),
            ("confirm", "Changning-2026!"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(other.get("/").status, 200);
}

#[test]
fn api_errors_are_stable_codes_with_chinese_messages() {
    let s = TestServer::start();
    let mut c = s.client();
    let r = c.get("/api/v1/me");
    assert_eq!(r.status, 401);
    let j = r.json();
    assert_eq!(j["code"], "not_authenticated");
    assert_eq!(j["message"], "请先登录");
    let r = c.get_with("/api/v1/me", &[("Authorization", "Bearer jzk_nope_nope")]);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["code"], "bad_api_key");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let r = c.get("/api/v1/nothing-here");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], "not_found");
}

#[test]
fn api_keys_and_sessions_both_authenticate_and_scope_applies() {
    let s = TestServer::start();
    let admin = jingzhi_app::demo::bootstrap_actor();
    let key = s
        .app
        .create_api_key(&admin, "测试", "dispatch", &[Role::Dispatcher], None)
        .unwrap();
    let mut c = s.client();
    let auth = format!("Bearer {}", key.key);
    let r = c.get_with("/api/v1/me", &[("Authorization", &auth)]);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["roles"][0], "dispatcher");
    let r = c.get_with("/api/v1/users", &[("Authorization", &auth)]);
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "forbidden");
    let r = c.get_with("/api/v1/compounds", &[("Authorization", &auth)]);
    assert!(
        r.json().as_array().unwrap().len() > 40,
        "the district desk sees every compound"
    );

    let mut p = s.signed_in(Role::PropertyStaff);
    let mine = p.get("/api/v1/compounds").json();
    let all = r.json();
    assert!(!mine.as_array().unwrap().is_empty());
    assert!(
        mine.as_array().unwrap().len() < all.as_array().unwrap().len(),
        "a property company sees only its compounds"
    );
    let me = p.get("/api/v1/me").json();
    let org_id = me["org"]["id"].as_i64().unwrap();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|c| c["property_company_id"].as_i64() == Some(org_id))
    );
}

#[test]
fn session_callers_need_the_csrf_header_for_api_writes() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Admin);
    let body = serde_json::json!({"kind": "department", "code": "dept-api", "name": "接口部门", "department_kind": "other_department"});
    let r = c.post_json("/api/v1/orgs", body.clone(), &[]);
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "csrf_failed");
    // Refused before its body was read: the connection cannot be reused, and the client is told.
    assert_eq!(r.header("connection"), Some("close"));
    let csrf = csrf_in(&c.get("/").text()).unwrap();
    let r = c.post_json("/api/v1/orgs", body, &[("X-CSRF-Token", &csrf)]);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        r.header("connection"),
        None,
        "a body read to its end keeps the connection"
    );
    assert_eq!(r.json()["code"], "dept-api");
    let r = c.post_json(
        "/api/v1/orgs",
        serde_json::json!({"kind": "street_team", "code": "bad code", "name": ""}),
        &[("X-CSRF-Token", &csrf)],
    );
    assert_eq!(r.status, 422);
    let j = r.json();
    assert_eq!(j["code"], "validation_failed");
    let fields: Vec<&str> = j["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"code") && fields.contains(&"name") && fields.contains(&"street_code"),
        "{fields:?}"
    );
}

#[test]
fn the_openapi_document_describes_every_api_route() {
    let s = TestServer::start();
    let mut c = s.client();
    let doc = c.get("/api/v1/openapi.json").json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/me",
        "/api/v1/orgs",
        "/api/v1/orgs/{id}",
        "/api/v1/compounds",
        "/api/v1/users",
        "/api/v1/audit",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(doc["components"]["schemas"]["ApiErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[test]
fn metrics_are_labelled_by_route_pattern() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Admin);
    let users = c.get("/api/v1/users").json();
    let id = users[0]["id"].as_i64().unwrap();
    assert_eq!(c.get(&format!("/admin/users/{id}")).status, 200);
    let m = c.get("/metrics").text();
    assert!(m.contains("route=\"/admin/users/{id}\""), "{m}");
    assert!(
        !m.contains(&format!("route=\"/admin/users/{id}\"")),
        "raw ids never become labels"
    );
    assert!(m.contains("jingzhi_http_request_duration_seconds_bucket"));
}

#[test]
fn health_and_readiness() {
    let s = TestServer::start();
    let mut c = s.client();
    assert_eq!(c.get("/healthz").text(), "ok");
    let r = c.get("/readyz");
    assert_eq!((r.status, r.text().as_str()), (200, "ready"));
}

#[test]
fn lists_export_to_excel() {
    let s = TestServer::start();
    let mut c = s.signed_in(Role::Admin);
    for (path, title) in [
        ("/admin/users.xlsx", "用户"),
        ("/admin/orgs.xlsx?kind=street_team", "组织机构（共10个）"),
        ("/admin/compounds.xlsx", "小区"),
        ("/admin/audit.xlsx", "审计日志"),
    ] {
        let r = c.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.header("content-type"),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        let rows = jingzhi_office::read_xlsx_rows(&r.body).unwrap();
        assert!(rows[0][0].starts_with(title), "{path}: {:?}", rows[0]);
        assert!(rows.len() > 3, "{path} has data rows");
    }
}

#[test]
fn pages_carry_security_headers_and_no_third_party_assets() {
    let s = TestServer::start();
    let mut c = s.client();
    let r = c.get("/login");
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert!(
        r.header("content-security-policy")
            .unwrap()
            .contains("script-src 'none'")
    );
    let html = r.text();
    assert!(!html.contains("<script"), "pages work without JavaScript");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no third-party assets"
    );
    let css = c.get("/assets/app.css");
    assert!(css.text().contains("@media print"));
}

#[test]
fn every_role_gets_its_home_page_and_modules_not_built_show_no_data() {
    let s = TestServer::start();
    for &role in Role::ALL {
        let mut c = s.signed_in(role);
        let home = c.get("/");
        assert_eq!(home.status, 200, "{role:?}");
        let t = home.text();
        assert!(
            t.contains(&format!("{}，您好", s.account(role).display_name)),
            "{role:?}"
        );
        if role == Role::GridWorker {
            // Clue intake and the clocks are built: a grid worker has nothing still to come.
            assert!(!t.contains("建设中"), "{role:?}");
        } else {
            assert!(t.contains("建设中"), "{role:?} sees what is coming");
        }
    }
    let mut c = s.signed_in(Role::Officer);
    let m = c.get("/modules/illegal-construction").text();
    assert!(m.contains("尚未上线") && m.contains("将包含"));
    assert!(!m.contains("<table"), "no fake data");
}

#[test]
fn partners_cannot_open_administration() {
    let s = TestServer::start();
    let mut p = s.signed_in(Role::PropertyStaff);
    let r = p.get("/admin/users");
    assert_eq!(r.status, 403);
    assert!(r.text().contains("无权"));
    let r = p.get("/modules/illegal-construction");
    assert_eq!(r.status, 403);
    let r = p.get("/cases");
    assert_eq!(r.status, 403, "partners see no cases");
    let r = p.get("/no/such/page");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("页面不存在"));
}
