//! Browser journeys in a real headless Chromium (Debian `chromium` + `chromidriver`), at phone
//! width. Later modules add their journeys here.

use crate::support::*;
use jingzhi_domain::role::Role;
use jingzhi_testkit::webdriver::Browser;

fn sign_in(b: &Browser, s: &TestServer, role: Role) {
    let a = s.account(role);
    b.goto(&format!("{}/", s.base));
    assert!(
        b.url().contains("/login"),
        "signed-out visitors land on the sign-in page"
    );
    b.type_into(&b.find("#username"), &a.username);
    b.type_into(&b.find("#password"), &a.password);
    b.click_nav(&b.find("#login-submit"));
    let h1 = b.find("main h1");
    assert_eq!(b.text(&h1), format!("{}，您好", a.display_name));
}

fn sign_out(b: &Browser) {
    // On a phone the menu sits above the content; the sign-out button is in the top bar.
    b.click_nav(&b.find_by_text("button", "退出"));
    b.find("#login-submit");
    assert!(b.url().contains("/login"));
}

fn fits_the_screen(b: &Browser) {
    let overflow = b.script("return document.documentElement.scrollWidth - window.innerWidth;");
    assert!(
        overflow.as_i64().unwrap_or(0) <= 0,
        "page wider than a {}px phone at {}",
        b.width,
        b.url()
    );
}

#[test]
fn admin_signs_in_navigates_administration_and_signs_out() {
    let Some(b) = Browser::start("browser::admin", 390, 844) else {
        return;
    };
    let s = TestServer::start();
    sign_in(&b, &s, Role::Admin);
    fits_the_screen(&b);
    b.click_nav(&b.find_by_text("a", "系统管理"));
    b.click_nav(&b.find_by_text("a", "组织机构"));
    assert!(b.title().starts_with("组织机构"));
    assert!(b.page_text().contains("华阳路街道综合行政执法队"));
    b.type_into(&b.find("#q"), "新泾镇");
    b.click_nav(&b.find_by_text("button", "筛选"));
    let rows = b.script("return document.querySelectorAll('tbody tr').length;");
    assert!(rows.as_i64().unwrap() >= 1);
    assert!(!b.page_text().contains("华阳路街道综合行政执法队"), "filtered");
    b.goto(&format!("{}/admin/users", s.base));
    assert!(b.page_text().contains("officer2"));
    fits_the_screen(&b);
    sign_out(&b);
}

#[test]
fn property_staff_sees_only_its_compounds() {
    let Some(b) = Browser::start("browser::property", 390, 844) else {
        return;
    };
    let s = TestServer::start();
    sign_in(&b, &s, Role::PropertyStaff);
    assert!(b.page_text().contains("本企业管理的小区"));
    b.click_nav(&b.find_by_text("a", "本企业管理的小区"));
    let n = b
        .script("return document.querySelectorAll('tbody tr').length;")
        .as_i64()
        .unwrap();
    let all = s
        .app
        .store
        .read(|c| jingzhi_store::repo::places::list_compounds(c, None, None))
        .unwrap()
        .len() as i64;
    assert!(n >= 1 && n < all, "{n} of {all}");
    b.goto(&format!("{}/admin/users", s.base));
    assert!(b.page_text().contains("无权"));
    b.click_nav(&b.find_by_text("a", "返回工作台"));
    sign_out(&b);
}

#[test]
fn every_demo_role_can_sign_in_and_reach_its_modules() {
    let Some(b) = Browser::start("browser::roles", 1280, 900) else {
        return;
    };
    let s = TestServer::start();
    for &role in Role::ALL {
        sign_in(&b, &s, role);
        let nav = b.find("nav.side");
        let text = b.text(&nav);
        assert!(text.contains("工作台"), "{role:?}");
        // Open the first module in the menu and come back.
        let first = b.find("nav.side li:nth-child(2) a");
        let name = b.text(&first);
        let href = b.script("return document.querySelector('nav.side li:nth-child(2) a').getAttribute('href');");
        b.click_nav(&first);
        let href = href.as_str().unwrap_or_default();
        assert!(b.url().ends_with(href), "{role:?} opened {href}, at {}", b.url());
        assert!(
            b.page_text().contains(name.trim_end_matches("建设中").trim()),
            "{role:?} opened {name}"
        );
        sign_out(&b);
    }
}

#[test]
fn an_officer_computes_a_deadline_on_a_phone() {
    let Some(b) = Browser::start("browser::clocks", 390, 844) else {
        return;
    };
    let s = TestServer::start();
    sign_in(&b, &s, Role::Officer);
    b.click_nav(&b.find_by_text("a", "工作日历与法定期限"));
    assert!(b.page_text().contains("工作日历"));
    fits_the_screen(&b);
    b.click_nav(&b.find_by_text("a", "期限计算"));
    b.script("document.getElementById('rule').value = 'case_decision_90d';");
    b.type_into(&b.find("#from"), "2026-03-02");
    b.type_into(&b.find("#s_start"), "2026-04-10");
    b.type_into(&b.find("#s_end"), "2026-04-22");
    b.type_into(&b.find("#s_reason"), "听证");
    b.type_into(&b.find("#e_length"), "30");
    b.type_into(&b.find("#e_approver"), "张三");
    b.click_nav(&b.find("#compute-submit"));
    let e = b.text(&b.find("#explanation"));
    assert_eq!(
        e,
        "办案期限：自2026年3月2日立案起90日，扣除听证期间12日，经张三批准延长30日，至2026年7月12日届满"
    );
    fits_the_screen(&b);
    sign_out(&b);
}
