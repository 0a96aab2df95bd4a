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

/// Puts a file into a file input the way a person picking a photo would (Chromium's DataTransfer).
fn pick_file(b: &Browser, input_id: &str, name: &str, content_type: &str, bytes: &[u8]) {
    let list = bytes.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
    b.script(&format!(
        "const dt = new DataTransfer(); dt.items.add(new File([new Uint8Array([{list}])], {name:?}, {{type: {content_type:?}}})); document.getElementById({input_id:?}).files = dt.files;"
    ));
}

/// Chooses the option of a select whose text starts with `text`.
fn choose(b: &Browser, select_id: &str, text: &str) {
    let found = b.script(&format!(
        "const s = document.getElementById({select_id:?}); const o = Array.from(s.options).find(o => o.text.startsWith({text:?})); if (o) {{ s.value = o.value; }} return !!o;"
    ));
    assert_eq!(found.as_bool(), Some(true), "no option {text} in #{select_id}");
}

fn timeline_actions(b: &Browser) -> String {
    b.script("return Array.from(document.querySelectorAll('#timeline .action')).map(e => e.textContent).join(',');")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn property_staff_reports_a_renovation_violation_with_a_photo_from_a_phone() {
    let Some(b) = Browser::start("browser::report", 390, 844) else {
        return;
    };
    let s = TestServer::start();
    sign_in(&b, &s, Role::PropertyStaff);
    b.click_nav(&b.find_by_text("a", "线索 · 我的上报"));
    assert!(b.page_text().contains("我的上报暂无线索"), "empty state");
    b.click_nav(&b.find_by_text("a", "上报问题"));
    fits_the_screen(&b);
    assert!(b.page_text().contains("物业报告"));
    b.script("const s = document.getElementById('compound_id'); s.value = s.options[1].value;");
    let compound = b
        .script("const s = document.getElementById('compound_id'); return s.options[1].text;")
        .as_str()
        .unwrap()
        .to_string();
    b.click(&b.find("input[name=matter_code][value=renovation_violation]"));
    b.type_into(
        &b.find("#description"),
        "302室业主装修晚上九点还在电钻施工，物业劝阻无效",
    );
    b.type_into(&b.find("#address"), "5号302室");
    pick_file(&b, "photo", "现场照片.png", "image/png", crate::clues::PNG);
    b.click_nav(&b.find("#report-submit"));
    let text = b.page_text();
    assert!(text.contains("已登记线索XS"), "{text}");
    assert!(text.contains("违规装修") && text.contains("物业报告"));
    assert!(
        text.contains("现场照片.png"),
        "the photo came with the report, its Chinese name kept"
    );
    assert!(text.contains(compound.split('（').next().unwrap()), "in its compound");
    // The photo is served back and shown.
    let mut width = -1;
    for _ in 0..50 {
        width = b
            .script("const i = document.querySelector('img.thumb'); return i && i.complete ? i.naturalWidth : -1;")
            .as_i64()
            .unwrap_or(-1);
        if width > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(width, 2, "the 2×2 photo loads");
    fits_the_screen(&b);
    let no = b
        .text(&b.find("main h1"))
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    b.click_nav(&b.find(".breadcrumb a"));
    assert!(b.url().contains("queue=mine"));
    let text = b.page_text();
    assert!(text.contains(&no) && text.contains("违规装修"), "{text}");
    assert!(!text.contains("全部线索"), "nothing but its own reports");
    let rows = b.script("return document.querySelectorAll('tbody tr').length;");
    assert_eq!(rows.as_i64(), Some(1));
    fits_the_screen(&b);
    sign_out(&b);
}

#[test]
fn a_12345_clue_goes_from_intake_to_dispatch_verification_reply_and_closing() {
    let Some(b) = Browser::start("browser::workflow", 390, 844) else {
        return;
    };
    let s = TestServer::start();
    sign_in(&b, &s, Role::Dispatcher);
    b.click_nav(&b.find_by_text("a", "线索 · 待受理"));
    b.click_nav(&b.find_by_text("a", "登记线索"));
    fits_the_screen(&b);
    b.type_into(&b.find("#source_ref"), "GD20261126001");
    b.type_into(
        &b.find("#description"),
        "华阳小区门口的饭店油烟太大，排烟管道直接对着居民楼，晚上熏得窗都不敢开",
    );
    choose(&b, "compound_id", "华阳小区");
    b.type_into(&b.find("#reporter_name"), "张女士");
    b.type_into(&b.find("#reporter_phone"), "13800000001");
    b.click_nav(&b.find("#register-submit"));
    assert!(b.page_text().contains("已登记线索XS"));
    assert!(b.page_text().contains("餐饮油烟"));
    let no = b
        .text(&b.find("main h1"))
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    let clue_url = b.url();
    // Dispatched at once by jurisdiction, or by the dispatcher to the preselected street team.
    if b.try_find("#step-dispatch").is_some() {
        b.click_nav(&b.find("#step-dispatch"));
    }
    assert_eq!(b.text(&b.find("#clue-status")), "待签收");
    assert!(b.page_text().contains("华阳路街道综合行政执法队"));
    fits_the_screen(&b);
    sign_out(&b);

    sign_in(&b, &s, Role::Officer);
    b.click_nav(&b.find_by_text("a", "线索 · 待签收"));
    b.click_nav(&b.find_by_text("a", &no));
    b.click_nav(&b.find("#step-sign"));
    assert!(b.page_text().contains("已签收。"));
    b.click(&b.find("#verify-confirmed"));
    b.type_into(
        &b.find("#verify-text"),
        "现场核实：排烟口正对居民楼窗户，无油烟净化设施",
    );
    b.click_nav(&b.find("#step-verify"));
    assert_eq!(b.text(&b.find("#clue-status")), "待处置");
    b.script("document.getElementById('dispose-disposal').value = 'order_correction';");
    b.script("document.getElementById('dispose-recheck_date').value = '2026-12-10';");
    b.type_into(&b.find("#dispose-text"), "责令店家限期安装油烟净化设施");
    b.click_nav(&b.find("#step-dispose"));
    assert_eq!(b.text(&b.find("#clue-status")), "待回复");
    assert!(b.page_text().contains("2026-12-10"), "the re-check date is on the clue");
    b.type_into(
        &b.find("#reply-text"),
        "经核查属实，已责令店家限期安装油烟净化设施，届时复查。",
    );
    b.click_nav(&b.find("#step-reply"));
    assert_eq!(b.text(&b.find("#clue-status")), "待办结");
    fits_the_screen(&b);
    sign_out(&b);

    sign_in(&b, &s, Role::Dispatcher);
    b.click_nav(&b.find_by_text("a", "线索 · 待办结"));
    b.click_nav(&b.find_by_text("a", &no));
    assert_eq!(b.url(), clue_url.split('?').next().unwrap());
    b.click_nav(&b.find("#step-close"));
    assert_eq!(b.text(&b.find("#clue-status")), "已办结");
    assert_eq!(
        timeline_actions(&b),
        "登记,派单,签收,核查,处置,回复,办结",
        "every step on the timeline"
    );
    let text = b.page_text();
    assert!(text.contains("责令改正") && text.contains("经核查属实，已责令店家"));
    assert!(text.contains("按期完成"), "the reply met the clocks");
    assert!(b.try_find("details.step").is_none(), "nothing left to do");
    fits_the_screen(&b);
    sign_out(&b);
}
