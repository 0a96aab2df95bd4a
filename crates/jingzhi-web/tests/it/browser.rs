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

/// Selects options of a multi-select by their values.
fn select_values(b: &Browser, select_id: &str, values: &[String]) {
    let list = values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(",");
    b.script(&format!(
        "const want = [{list}]; const s = document.getElementById({select_id:?}); Array.from(s.options).forEach(o => o.selected = want.includes(o.value));"
    ));
}

fn set_value(b: &Browser, id: &str, value: &str) {
    b.script(&format!("document.getElementById({id:?}).value = {value:?};"));
}

fn case_status(b: &Browser) -> String {
    b.text(&b.find("#case-status"))
}

/// Unfolds a step's form (steps are <details>).
fn open_step(b: &Browser, code: &str) {
    if b.try_find(&format!("#step-{code}-box")).is_none() {
        panic!("no step {code} on the case page: {}", b.page_text());
    }
    b.script(&format!("document.getElementById('step-{code}-box').open = true;"));
}

/// Opens the step's form and submits it.
fn take_step(b: &Browser, code: &str) {
    open_step(b, code);
    b.click_nav(&b.find(&format!("#step-{code}")));
    if let Some(e) = b.try_find("#case-error") {
        panic!("step {code} refused: {}", b.text(&e));
    }
}

#[test]
fn a_team_leader_files_a_case_from_a_verified_clue_notifies_decides_serves_records_payment_and_closes() {
    let Some(b) = Browser::start("browser::case_journey", 390, 844) else {
        return;
    };
    let s = TestServer::start();
    let (clue_id, _) = crate::cases_pages::verified_clue(&s);
    let officers = [
        crate::cases_pages::user_id(&s, "officer").to_string(),
        crate::cases_pages::user_id(&s, "officer2").to_string(),
    ];
    sign_in(&b, &s, Role::TeamLeader);
    b.goto(&format!("{}/clues/{clue_id}", s.base));
    b.click_nav(&b.find("#open-case-from-clue"));
    fits_the_screen(&b);
    b.type_into(&b.find("#party_name"), "张三");
    b.type_into(&b.find("#id_number"), crate::cases_pages::PARTY_ID);
    b.type_into(&b.find("#party_address"), "上海市长宁区定西路100号");
    select_values(&b, "officer_ids", &officers);
    b.type_into(&b.find("#reason"), "核查属实，符合立案条件");
    b.click_nav(&b.find("#open-submit"));
    assert!(b.page_text().contains("已立案。"), "{}", b.page_text());
    assert_eq!(case_status(&b), "已立案");
    let number = b.text(&b.find("#case-number"));
    assert!(number.contains("第0001号"), "{number}");
    fits_the_screen(&b);

    take_step(&b, "start_investigation");
    assert_eq!(case_status(&b), "调查取证");
    // Evidence: a photo taken on the spot by the two officers.
    b.script("document.querySelector('#evidence-form').closest('details').open = true;");
    set_value(&b, "evidence_type", "audio_visual");
    b.type_into(&b.find("#evidence-title"), "现场照片");
    select_values(&b, "collected_by", &officers);
    let png: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1,
        8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde,
    ];
    pick_file(&b, "evidence-file", "photo.png", "image/png", png);
    b.click_nav(&b.find("#evidence-submit"));
    assert!(b.page_text().contains("证据已登记。"), "{}", b.page_text());
    open_step(&b, "close_investigation");
    b.type_into(&b.find("#close_investigation-reason"), "违法事实清楚，证据确凿");
    take_step(&b, "close_investigation");
    // The proposal: a fine of 200 元 at the ordinary level, with reasons.
    open_step(&b, "submit_review");
    set_value(&b, "submit_review-penalty1_kind", "fine");
    open_step(&b, "submit_review");
    b.type_into(&b.find("#submit_review-penalty1_amount"), "200");
    set_value(&b, "submit_review-discretion_level", "ordinary");
    b.type_into(&b.find("#submit_review-discretion_reasons"), "经劝阻后仍占道经营");
    take_step(&b, "submit_review");
    assert_eq!(case_status(&b), "案件审核");
    open_step(&b, "approve_review");
    b.type_into(&b.find("#approve_review-reason"), "同意，拟罚款200元");
    take_step(&b, "approve_review");
    assert_eq!(case_status(&b), "事先告知");
    // Deciding before the notice is served is refused with its article; what was typed stays.
    open_step(&b, "decide");
    set_value(&b, "decide-penalty1_kind", "fine");
    b.type_into(&b.find("#decide-penalty1_amount"), "200");
    set_value(&b, "decide-discretion_level", "ordinary");
    b.type_into(&b.find("#decide-discretion_reasons"), "经劝阻后仍占道经营");
    b.click_nav(&b.find("#step-decide"));
    let refused = b.text(&b.find("#case-error"));
    assert!(
        refused.contains("事先告知") && refused.contains("第六十二条"),
        "{refused}"
    );
    assert_eq!(case_status(&b), "事先告知");
    assert_eq!(
        b.script("return document.getElementById('decide-penalty1_amount').value;")
            .as_str(),
        Some("200"),
        "the form keeps what was typed"
    );
    open_step(&b, "send_prior_notice");
    b.type_into(&b.find("#send_prior_notice-reason"), "当面送达");
    take_step(&b, "send_prior_notice");
    open_step(&b, "waive_rights");
    b.type_into(&b.find("#waive_rights-reason"), "当事人书面表示放弃陈述申辩");
    take_step(&b, "waive_rights");
    open_step(&b, "decide");
    set_value(&b, "decide-penalty1_kind", "fine");
    open_step(&b, "decide");
    b.type_into(&b.find("#decide-penalty1_amount"), "200");
    set_value(&b, "decide-discretion_level", "ordinary");
    b.type_into(&b.find("#decide-discretion_reasons"), "经劝阻后仍占道经营");
    take_step(&b, "decide");
    assert_eq!(case_status(&b), "已作出决定");
    // The decision, printed on A4 from its frozen copy.
    set_value(&b, "document-kind", "penalty_decision");
    b.click_nav(&b.find("#issue-submit"));
    let decision = b.page_text();
    assert!(
        decision.contains("行政处罚决定书") && decision.contains("贰佰元"),
        "{decision}"
    );
    assert!(
        decision.contains("行政复议") && decision.contains("六十日"),
        "relief routes"
    );
    b.click_nav(&b.find_by_text("a", "返回"));
    // The decision is published with the citizen's name and number masked.
    let case_url = b.url();
    b.goto(&format!("{}/publicity", s.base));
    let public = b.page_text();
    assert!(public.contains(&number) && public.contains("张*"), "{public}");
    assert!(
        !public.contains("张三") && !public.contains(crate::cases_pages::PARTY_ID),
        "masked"
    );
    b.goto(&case_url);

    set_value(&b, "serve-service_method", "direct");
    take_step(&b, "serve");
    assert_eq!(case_status(&b), "已送达");
    take_step(&b, "record_paid");
    assert_eq!(case_status(&b), "执行完毕");
    open_step(&b, "close");
    set_value(&b, "close-closing_ground", "performed");
    open_step(&b, "close");
    b.type_into(&b.find("#close-reason"), "罚款已缴清，同意结案");
    take_step(&b, "close");
    assert_eq!(case_status(&b), "已结案");
    let text = b.page_text();
    assert!(
        text.contains("缴款") || text.contains("罚款期限"),
        "the payment clock is on the page"
    );
    let timeline = timeline_actions(&b);
    for step in [
        "立案",
        "开始调查取证",
        "调查终结",
        "提交案件审核",
        "事先告知",
        "作出决定",
        "送达决定书",
        "登记自觉履行",
        "结案",
    ] {
        assert!(timeline.contains(step), "{step} on the timeline: {timeline}");
    }
    fits_the_screen(&b);
    // The case is in the list, and the Excel export is offered.
    b.click_nav(&b.find_by_text("a", "办案"));
    b.click_nav(&b.find_by_text("a", "全部案件"));
    assert!(b.page_text().contains(&number));
    sign_out(&b);
}
