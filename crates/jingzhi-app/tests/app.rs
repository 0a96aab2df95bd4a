//! Application-layer tests: sign-in, sessions, lockout, administration, import, scoping and the
//! audit trail, through the real use cases on a real database.

mod common;

use common::*;
use jiff::SignedDuration;
use jingzhi_app::audit::AuditFilter;
use jingzhi_app::demo::bootstrap_actor;
use jingzhi_app::orgs::{CompoundInput, OrgInput};
use jingzhi_app::users::UserInput;
use jingzhi_app::{ErrorCode, Via};
use jingzhi_domain::org::{OrgKind, Scope};
use jingzhi_domain::role::Role;
use jingzhi_testkit::{Scratch, both_backends};

both_backends!(sign_in_creates_a_session_and_sign_out_ends_it, |s: &Scratch| {
    let w = world(s);
    let a = w.account(Role::Dispatcher);
    let sess = w.app.login(&a.username, &a.password, "10.1.1.1", Some("test")).unwrap();
    assert_eq!(sess.token.len(), 64);
    let actor = w.app.session_actor(&sess.token).unwrap().unwrap();
    assert_eq!(actor.roles, vec![Role::Dispatcher]);
    assert_eq!(
        actor.scope,
        Scope::District,
        "the district dispatch desk sees the district"
    );
    assert!(matches!(actor.via, Via::Session { .. }));
    w.app.logout(&actor).unwrap();
    assert!(w.app.session_actor(&sess.token).unwrap().is_none());
    assert!(w.app.session_actor("not-a-token").unwrap().is_none());
});

both_backends!(sessions_expire_after_idle_time_and_slide_when_used, |s: &Scratch| {
    let w = world(s);
    let a = w.account(Role::Officer);
    let sess = w.app.login(&a.username, &a.password, "10.1.1.1", None).unwrap();
    w.clock.advance(SignedDuration::from_hours(7));
    assert!(
        w.app.session_actor(&sess.token).unwrap().is_some(),
        "used within 8 h: slides"
    );
    w.clock.advance(SignedDuration::from_hours(7));
    assert!(
        w.app.session_actor(&sess.token).unwrap().is_some(),
        "slid forward at the last use"
    );
    w.clock.advance(SignedDuration::from_hours(9));
    assert!(w.app.session_actor(&sess.token).unwrap().is_none(), "idle 9 h: expired");
});

both_backends!(
    sessions_are_kept_briefly_and_changes_made_here_are_seen_at_once,
    |s: &Scratch| {
        let w = world(s);
        let admin = w.actor(Role::Admin);
        let a = w.account(Role::Officer).clone();
        let sess = w.app.login(&a.username, &a.password, "10.1.1.1", None).unwrap();
        let actor = w.app.session_actor(&sess.token).unwrap().unwrap();
        let uid = actor.user_id.unwrap();
        assert_eq!(
            w.app.session_actor_cached(&sess.token).map(|a| a.user_id),
            Some(Some(uid)),
            "read a moment ago: known without the database"
        );
        // Another server signs the user out: this one sees it within the cache's few seconds.
        w.app
            .store
            .write(|c| jingzhi_store::repo::sessions::delete_for_user(c, uid))
            .unwrap();
        assert!(w.app.session_actor(&sess.token).unwrap().is_some(), "still kept");
        w.app.sessions.clear();
        assert!(w.app.session_actor(&sess.token).unwrap().is_none(), "read again: gone");
        assert!(w.app.session_actor_cached(&sess.token).is_none());
        // Changes made through this server are seen by the next request.
        let sess = w.app.login(&a.username, &a.password, "10.1.1.1", None).unwrap();
        let actor = w.app.session_actor(&sess.token).unwrap().unwrap();
        assert_eq!(actor.roles, vec![Role::Officer]);
        let (u, _) = w
            .app
            .list_users(&admin)
            .unwrap()
            .into_iter()
            .find(|(u, _)| u.id == uid)
            .unwrap();
        w.app
            .update_user(
                &admin,
                uid,
                &UserInput {
                    username: u.username.clone(),
                    display_name: u.display_name.clone(),
                    org_id: u.org_id,
                    phone: u.phone.clone().unwrap_or_default(),
                    certificate_no: u.certificate_no.clone().unwrap_or_default(),
                    roles: vec![Role::Officer, Role::TeamLeader],
                },
            )
            .unwrap();
        let actor = w.app.session_actor(&sess.token).unwrap().unwrap();
        assert!(
            actor.roles.contains(&Role::TeamLeader) && actor.roles.len() == 2,
            "roles changed at once: {:?}",
            actor.roles
        );
        w.app.set_user_active(&admin, uid, false).unwrap();
        assert!(
            w.app.session_actor(&sess.token).unwrap().is_none(),
            "disabled: signed out at once"
        );
        w.app.set_user_active(&admin, uid, true).unwrap();
        let sess = w.app.login(&a.username, &a.password, "10.1.1.1", None).unwrap();
        let actor = w.app.session_actor(&sess.token).unwrap().unwrap();
        w.app.logout(&actor).unwrap();
        assert!(
            w.app.session_actor(&sess.token).unwrap().is_none(),
            "signed out at once"
        );
    }
);

both_backends!(wrong_passwords_lock_the_account_then_it_unlocks, |s: &Scratch| {
    let w = world(s);
    let a = w.account(Role::Officer).clone();
    for i in 1..=4 {
        let e = w
            .app
            .login(&a.username, "wrong-password", "10.1.1.2", None)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::BadCredentials, "attempt {i}");
    }
    let e = w
        .app
        .login(&a.username, "wrong-password", "10.1.1.2", None)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AccountLocked);
    assert!(e.message.contains("后重试"), "{}", e.message);
    // Even the right password is refused while locked.
    let e = w.app.login(&a.username, &a.password, "10.1.1.3", None).unwrap_err();
    assert_eq!(e.code, ErrorCode::AccountLocked);
    let admin = w.actor(Role::Admin);
    let locks = w
        .app
        .list_audit(
            &admin,
            &AuditFilter {
                action_prefix: Some("auth.lockout".into()),
                ..Default::default()
            },
            10,
        )
        .unwrap();
    assert_eq!(locks.len(), 1);
    w.clock.advance(SignedDuration::from_mins(16));
    assert!(w.app.login(&a.username, &a.password, "10.1.1.3", None).is_ok());
});

both_backends!(many_failures_from_one_address_are_rate_limited, |s: &Scratch| {
    let w = world(s);
    for i in 0..30 {
        let e = w.app.login(&format!("nobody{i}"), "x", "10.9.9.9", None).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadCredentials);
    }
    let a = w.account(Role::Admin);
    let e = w.app.login(&a.username, &a.password, "10.9.9.9", None).unwrap_err();
    assert_eq!(e.code, ErrorCode::RateLimited);
    assert!(
        w.app.login(&a.username, &a.password, "10.9.9.10", None).is_ok(),
        "other addresses are not affected"
    );
});

both_backends!(unknown_users_and_wrong_passwords_answer_alike, |s: &Scratch| {
    let w = world(s);
    let e1 = w.app.login("nobody", "x", "10.1.1.4", None).unwrap_err();
    let e2 = w.app.login("admin", "x", "10.1.1.4", None).unwrap_err();
    assert_eq!(e1, e2);
});

both_backends!(admin_created_accounts_must_change_password_first, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let team = w
        .app
        .list_orgs(&admin)
        .unwrap()
        .into_iter()
        .find(|o| o.kind == OrgKind::StreetTeam)
        .unwrap();
    let created = w
        .app
        .create_user(
            &admin,
            &UserInput {
                username: "qian.yi".into(),
                display_name: "钱一".into(),
                org_id: team.id,
                phone: "13900000000".into(),
                certificate_no: "31010520260099".into(),
                roles: vec![Role::Officer],
            },
        )
        .unwrap();
    let sess = w
        .app
        .login("qian.yi", &created.temporary_password, "10.1.1.5", None)
        .unwrap();
    assert!(sess.must_change_password);
    let actor = w.app.session_actor(&sess.token).unwrap().unwrap();
    let e = w.app.list_orgs(&actor).unwrap_err();
    assert_eq!(e.code, ErrorCode::PasswordChangeRequired);
    let e = w
        .app
        .change_own_password(&actor, &created.temporary_password, "short", "short")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::WeakPassword);
    let e = w
        .app
        .change_own_password(&actor, "wrong", "Changning-2026!", "Changning-2026!")
        .unwrap_err();
    assert_eq!(e.field_message("current"), Some("当前密码不正确"));
    w.app
        .change_own_password(
            &actor,
            &created.temporary_password,
            "Changning-2026!",
            "Changning-2026!",
        )
        .unwrap();
    let actor = w.app.session_actor(&sess.token).unwrap().unwrap();
    assert!(!actor.must_change_password);
    assert!(w.app.list_orgs(&actor).is_ok());
});

both_backends!(user_validation_keeps_field_messages, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let e = w
        .app
        .create_user(
            &admin,
            &UserInput {
                username: "X".into(),
                roles: vec![Role::Officer],
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(e.field_message("username").is_some());
    assert!(e.field_message("display_name").is_some());
    assert!(e.field_message("org_id").is_some());
    assert_eq!(e.field_message("certificate_no"), Some("执法队员和队长须填写执法证号"));
    let dup = w
        .app
        .create_user(
            &admin,
            &UserInput {
                username: "admin".into(),
                display_name: "重复".into(),
                org_id: admin.org.id,
                roles: vec![Role::Admin],
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(dup.field_message("username"), Some("用户名已被使用"));
});

both_backends!(disabling_a_user_signs_them_out, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let officer = w.actor(Role::Officer);
    let id = officer.user_id.unwrap();
    w.app.set_user_active(&admin, id, false).unwrap();
    let a = w.account(Role::Officer);
    assert_eq!(
        w.app
            .login(&a.username, &a.password, "10.1.1.6", None)
            .unwrap_err()
            .code,
        ErrorCode::AccountDisabled
    );
    assert_eq!(
        w.app
            .set_user_active(&admin, admin.user_id.unwrap(), false)
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    w.app.set_user_active(&admin, id, true).unwrap();
    assert!(w.app.login(&a.username, &a.password, "10.1.1.6", None).is_ok());
});

both_backends!(street_team_sees_only_its_own_users_and_compounds, |s: &Scratch| {
    let w = world(s);
    let lead = w.actor(Role::TeamLeader);
    let users = w.app.list_users(&lead).unwrap();
    assert!(!users.is_empty());
    assert!(
        users.iter().all(|(_, o)| o.street_code == lead.org.street_code),
        "only its street's people"
    );
    let compounds = w.app.list_compounds(&lead).unwrap();
    assert_eq!(compounds.len(), 2);
    assert!(
        compounds
            .iter()
            .all(|c| Some(&c.street_code) == lead.org.street_code.as_ref())
    );
    let other = w
        .app
        .list_compounds(&w.actor(Role::Admin))
        .unwrap()
        .into_iter()
        .find(|c| c.code == "cp-0002")
        .unwrap();
    assert_eq!(
        w.app.get_compound(&lead, other.id).unwrap_err().code,
        ErrorCode::OutOfScope
    );
});

both_backends!(a_street_teams_administrator_manages_only_its_own, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let lead = w.actor(Role::TeamLeader);
    let input = |username: &str, org_id: i64, roles: Vec<Role>| jingzhi_app::users::UserInput {
        username: username.into(),
        display_name: "街道管理员".into(),
        org_id,
        phone: String::new(),
        certificate_no: String::new(),
        roles,
    };
    w.app
        .create_user_with_password(
            &admin,
            &input("streetadmin", lead.org.id, vec![Role::Admin]),
            "Changning-2026!",
            false,
        )
        .unwrap();
    let s2 = w
        .app
        .login("streetadmin", "Changning-2026!", "127.0.0.1", None)
        .unwrap();
    let street_admin = w.app.session_actor(&s2.token).unwrap().unwrap();
    // Its own team: yes.
    w.app
        .create_user_with_password(
            &street_admin,
            &jingzhi_app::users::UserInput {
                certificate_no: "31010520269001".into(),
                ..input("teamclerk", lead.org.id, vec![Role::Officer])
            },
            "Changning-2026!",
            false,
        )
        .unwrap();
    // The district's units, another street's people, the structure, API keys: no.
    let district_org = admin.org.id;
    let e = w
        .app
        .create_user_with_password(
            &street_admin,
            &input("bureauboss", district_org, vec![Role::BureauLeader]),
            "Changning-2026!",
            false,
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope, "{e:?}");
    assert!(
        w.app
            .list_users(&admin)
            .unwrap()
            .iter()
            .all(|(u, _)| u.username != "bureauboss")
    );
    let admin_user_id = admin.user_id.unwrap();
    assert_eq!(
        w.app
            .set_user_active(&street_admin, admin_user_id, false)
            .unwrap_err()
            .code,
        ErrorCode::OutOfScope
    );
    assert_eq!(
        w.app.reset_password(&street_admin, admin_user_id).unwrap_err().code,
        ErrorCode::OutOfScope
    );
    assert_eq!(
        w.app
            .create_api_key(&street_admin, "脚本", &lead.org.code, &[Role::Dispatcher], None)
            .map(|_| ())
            .unwrap_err()
            .code,
        ErrorCode::OutOfScope
    );
});

both_backends!(property_company_sees_only_its_compounds_and_itself, |s: &Scratch| {
    let w = world(s);
    let p = w.actor(Role::PropertyStaff);
    let compounds = w.app.list_compounds(&p).unwrap();
    assert_eq!(
        compounds.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
        vec!["cp-0001"]
    );
    let orgs = w.app.list_orgs(&p).unwrap();
    assert!(
        orgs.iter()
            .all(|o| o.kind != OrgKind::PropertyCompany || o.id == p.org.id)
    );
    assert!(!orgs.iter().any(|o| o.kind == OrgKind::Department));
});

// Streets and compounds feed the lists' names and jurisdiction, which a server keeps loaded: a
// change through the server shows at once.
both_backends!(changed_streets_and_compounds_show_at_once, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let names = |w: &World| -> Vec<String> {
        w.app
            .list_streets(&admin)
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect()
    };
    assert!(names(&w).contains(&"华阳路街道".to_string()));
    let renamed = PLACES.replacen("name = \"华阳路街道\"", "name = \"华阳路街道（更名）\"", 1);
    w.app.import_places(&admin, &renamed, false).unwrap();
    assert!(names(&w).contains(&"华阳路街道（更名）".to_string()), "{:?}", names(&w));
    // A compound: located by its name as soon as it is created, and at its new street once moved.
    let street_of = |w: &World| {
        w.app
            .intake_data()
            .unwrap()
            .jurisdiction
            .locate(None, "长宁区翠柏新苑")
            .street_code
    };
    assert_eq!(street_of(&w), None);
    let mut input = CompoundInput {
        code: "cp-new-1".into(),
        name: "翠柏新苑".into(),
        address: "长宁区某某路1号".into(),
        street_code: "310105001".into(),
        active: true,
        ..Default::default()
    };
    let id = w.app.create_compound(&admin, &input).unwrap();
    assert_eq!(street_of(&w).as_deref(), Some("310105001"));
    input.street_code = "310105002".into();
    w.app.update_compound(&admin, id, &input).unwrap();
    assert_eq!(street_of(&w).as_deref(), Some("310105002"));
});

both_backends!(places_import_is_all_or_nothing_and_idempotent, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let before = w.app.list_orgs(&admin).unwrap().len();
    // Re-importing the same file changes nothing.
    let rep = w.app.import_places(&admin, PLACES, false).unwrap();
    assert_eq!((rep.created, rep.updated), (0, 0));
    assert!(rep.unchanged > 10);
    // A bad file: every problem is listed, nothing is written.
    let bad = format!(
        "{PLACES}\n[[compound]]\ncode = \"cp-0009\"\nname = \"坏小区\"\naddress = \"某路\"\nstreet_code = \"310105999\"\nlng = 200.0\nlat = 31.0\n\n[[department]]\ncode = \"dept-x\"\nname = \"x\"\nkind = \"bakery\"\n"
    );
    let e = w.app.import_places(&admin, &bad, false).unwrap_err();
    assert_eq!(e.code, ErrorCode::ImportRejected);
    assert_eq!(e.fields.len(), 3, "{:?}", e.fields);
    assert!(e.message.contains("310105999") && e.message.contains("bakery") && e.message.contains("坐标"));
    assert_eq!(w.app.list_orgs(&admin).unwrap().len(), before);
    // A dry run reports what would change and writes nothing.
    let more = format!("{PLACES}\n[[property_company]]\ncode = \"pc-003\"\nname = \"新物业\"\n");
    let rep = w.app.import_places(&admin, &more, true).unwrap();
    assert!(rep.dry_run && rep.created == 1);
    assert_eq!(w.app.list_orgs(&admin).unwrap().len(), before);
    let rep = w.app.import_places(&admin, &more, false).unwrap();
    assert_eq!(rep.created, 1);
    assert_eq!(w.app.list_orgs(&admin).unwrap().len(), before + 1);
    let e = w.app.import_places(&admin, "[[street]]\ncode = 1", false).unwrap_err();
    assert_eq!(e.code, ErrorCode::ImportRejected);
    // A code already used by another kind of unit (here the dispatch desk) is refused, not
    // turned into a property company.
    let clash = format!("{PLACES}\n[[property_company]]\ncode = \"dispatch\"\nname = \"冒名物业\"\n");
    let e = w.app.import_places(&admin, &clash, false).unwrap_err();
    assert_eq!(e.code, ErrorCode::ImportRejected);
    assert!(e.message.contains("编码“dispatch”已是"), "{}", e.message);
    let desk = w
        .app
        .list_orgs(&admin)
        .unwrap()
        .into_iter()
        .find(|o| o.code == "dispatch")
        .unwrap();
    assert_eq!(desk.kind, jingzhi_domain::org::OrgKind::DispatchCenter);
    assert_eq!(w.app.list_orgs(&admin).unwrap().len(), before + 1);
});

both_backends!(org_and_compound_forms_validate_and_audit, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let e = w
        .app
        .create_org(
            &admin,
            &OrgInput {
                kind: Some(OrgKind::StreetTeam),
                code: "bad code".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        e.field_message("code").is_some()
            && e.field_message("name").is_some()
            && e.field_message("street_code").is_some()
    );
    let id = w
        .app
        .create_org(
            &admin,
            &OrgInput {
                kind: Some(OrgKind::Department),
                code: "dept-green".into(),
                name: "绿化市容局".into(),
                department_kind: Some(jingzhi_domain::org::DepartmentKind::GreeningCityAppearance),
                active: true,
                ..Default::default()
            },
        )
        .unwrap();
    let dup = w
        .app
        .create_org(
            &admin,
            &OrgInput {
                kind: Some(OrgKind::Department),
                code: "dept-green".into(),
                name: "重复".into(),
                department_kind: Some(jingzhi_domain::org::DepartmentKind::Other),
                active: true,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(dup.field_message("code"), Some("代码已被使用"));
    let trail = w
        .app
        .list_audit(
            &admin,
            &AuditFilter {
                entity: Some("org_unit".into()),
                entity_id: Some(id.to_string()),
                ..Default::default()
            },
            5,
        )
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "org.create");
    assert_eq!(trail[0].actor_name, "admin");
    let e = w
        .app
        .create_compound(
            &admin,
            &CompoundInput {
                code: "cp-x".into(),
                name: "x".into(),
                address: "x".into(),
                street_code: "310105001".into(),
                lng: "121.4".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.field_message("lat"), Some("经度和纬度须同时填写"));
});

both_backends!(api_keys_authenticate_until_disabled, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let k = w
        .app
        .create_api_key(&admin, "12345平台对接", "dispatch", &[Role::Dispatcher], None)
        .unwrap();
    assert!(k.key.starts_with("jzk_"));
    let actor = w.app.api_key_actor(&k.key).unwrap();
    assert_eq!(actor.roles, vec![Role::Dispatcher]);
    assert_eq!(actor.org.code, "dispatch");
    assert!(matches!(actor.via, Via::ApiKey { .. }));
    // Change the last character (to one it is not: a key ending in 0 stays a different key).
    let last = if k.key.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{last}", &k.key[..k.key.len() - 1]);
    assert_eq!(w.app.api_key_actor(&tampered).unwrap_err().code, ErrorCode::BadApiKey);
    // The key was just read: it is known without the database, and the secret is still checked.
    let known = w
        .app
        .api_key_actor_cached(&k.key)
        .expect("kept for a few seconds")
        .unwrap();
    assert_eq!((known.name, known.roles), (actor.name.clone(), vec![Role::Dispatcher]));
    assert_eq!(
        w.app.api_key_actor_cached(&tampered).expect("kept").unwrap_err().code,
        ErrorCode::BadApiKey
    );
    assert!(w.app.api_key_actor_cached("jzk_unknown_secret").is_none());
    assert_eq!(
        w.app
            .create_api_key(&admin, "x", "dispatch", &[Role::Admin], None)
            .unwrap_err()
            .code,
        ErrorCode::ValidationFailed
    );
    w.app.disable_api_key(&admin, k.id).unwrap();
    // Disabled through this server: refused at once, not after the cache's few seconds.
    assert!(w.app.api_key_actor_cached(&k.key).is_none());
    assert_eq!(w.app.api_key_actor(&k.key).unwrap_err().code, ErrorCode::BadApiKey);
    let listed = w.app.list_api_keys(&admin).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        !listed[0].key_hash.contains(&k.key[k.key.len() - 10..]),
        "only the hash is stored"
    );
});

both_backends!(
    audit_verify_finds_the_first_row_edited_behind_the_apps_back,
    |s: &Scratch| {
        let w = world(s);
        let admin = w.actor(Role::Admin);
        let report = w.app.verify_audit(&admin, &mut |_| {}).unwrap();
        assert!(report.ok(), "{report:?}");
        assert!(report.checked > 20);
        // A database administrator edits record 7 directly (after removing the append-only guard).
        s.store
            .write(|c| {
                match c.backend() {
                    jingzhi_store::Backend::Sqlite => c.execute_batch("DROP TRIGGER audit_log_no_update")?,
                    jingzhi_store::Backend::Postgres => {
                        c.execute_batch("DROP TRIGGER audit_log_no_update ON audit_log")?
                    }
                }
                c.execute(
                    "UPDATE audit_log SET after_json = '{\"forged\":true}' WHERE seq = 7",
                    &[],
                )
            })
            .unwrap();
        let report = w.app.verify_audit(&admin, &mut |_| {}).unwrap();
        let (seq, reason) = report.broken.clone().expect("broken");
        assert_eq!(seq, 7);
        assert!(reason.contains("被修改"), "{reason}");
        assert_eq!(report.checked, 6);
    }
);

both_backends!(audit_verify_notices_records_deleted_at_the_end, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let total = w.app.verify_audit(&admin, &mut |_| {}).unwrap().head_seq;
    s.store
        .write(|c| {
            match c.backend() {
                jingzhi_store::Backend::Sqlite => c.execute_batch("DROP TRIGGER audit_log_no_delete")?,
                jingzhi_store::Backend::Postgres => c.execute_batch("DROP TRIGGER audit_log_no_update ON audit_log")?,
            }
            c.execute("DELETE FROM audit_log WHERE seq = $1", jingzhi_store::params![total])
        })
        .unwrap();
    let report = w.app.verify_audit(&admin, &mut |_| {}).unwrap();
    assert_eq!(report.broken.map(|b| b.0), Some(total));
});

both_backends!(every_state_change_is_in_the_audit_trail, |s: &Scratch| {
    let w = world(s);
    let admin = w.actor(Role::Admin);
    let actions: Vec<String> = w
        .app
        .list_audit(&admin, &AuditFilter::default(), 10_000)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for a in [
        "org.import",
        "compound.import",
        "street.import",
        "user.create",
        "auth.login",
    ] {
        assert!(actions.iter().any(|x| x == a), "missing {a}");
    }
    let officer = w.actor(Role::Officer);
    w.app.reset_password(&admin, officer.user_id.unwrap()).unwrap();
    let last = w.app.list_audit(&admin, &AuditFilter::default(), 1).unwrap();
    assert_eq!(last[0].action, "user.password_reset");
    assert!(w.app.session_actor("x").unwrap().is_none());
});

#[test]
fn the_cli_actor_can_bootstrap_an_empty_database() {
    let s = Scratch::sqlite();
    let app = jingzhi_app::App::new(
        s.store.clone(),
        std::sync::Arc::new(jingzhi_app::SystemClock),
        jingzhi_app::AppConfig::for_tests(),
    );
    let rep = app.import_places(&bootstrap_actor(), PLACES, false).unwrap();
    assert!(rep.created > 10);
    let house = app.housekeeping().unwrap();
    assert!(house.is_some());
    assert!(app.housekeeping().unwrap().is_none(), "the same hourly slot runs once");
}

// ---------------------------------------------------------------- legal clocks

mod clocks {
    use super::*;
    use jingzhi_app::clocks::{self as ck, CalendarFile, DeadlineRequest, Subject};
    use jingzhi_domain::clock::{ClockState, Extension, Suspension};

    both_backends!(shipped_calendars_and_rules_are_loaded_once, |s: &Scratch| {
        let w = world(s);
        assert!(!w.app.ensure_clock_defaults().unwrap(), "second call adds nothing");
        // A database made before a rule shipped gets it on the next start; edits stay.
        w.app
            .store
            .write(|c| {
                c.execute("DELETE FROM clock_rule WHERE code = $1", &["statement_period".into()])?;
                c.execute(
                    "UPDATE clock_rule SET definition = replace(definition, 'length = 5', 'length = 6') WHERE code = $1",
                    &["hearing_request_5wd".into()],
                )
            })
            .unwrap();
        assert!(w.app.ensure_clock_defaults().unwrap(), "the missing rule is added");
        let admin = w.actor(Role::Admin);
        let data = w.app.clock_rules(&admin).unwrap();
        assert_eq!(data.rules.get("statement_period").unwrap().length, 3);
        assert_eq!(
            data.rules.get("hearing_request_5wd").unwrap().length,
            6,
            "an edit is kept"
        );
        assert_eq!(w.app.calendar_years(&admin).unwrap(), vec![2025, 2026]);
        let data = w.app.clock_rules(&admin).unwrap();
        assert!(data.rules.len() >= 26);
        let y = w.app.calendar_year(&admin, 2026).unwrap();
        assert!(y.provisional.is_none());
        // 261 weekdays − 19 weekday holidays (元旦2 春节6 清明1 劳动3 端午1 中秋1 国庆5) + 6 make-up days.
        assert_eq!(
            y.working_days_per_month.iter().sum::<i64>(),
            248,
            "2026 has 248 working days"
        );
        let y = w.app.calendar_year(&admin, 2027).unwrap();
        assert!(y.provisional.unwrap().reason.contains("2027年工作日历尚未录入"));
    });

    both_backends!(
        add_working_days_counts_from_the_day_after_and_marks_provisional,
        |s: &Scratch| {
            let w = world(s);
            let officer = w.actor(Role::Officer);
            let (d, p) = w
                .app
                .add_working_days(&officer, jiff::civil::date(2026, 9, 30), 5)
                .unwrap();
            assert_eq!(d, jiff::civil::date(2026, 10, 13));
            assert!(p.is_none());
            let (_, p) = w
                .app
                .add_working_days(&officer, jiff::civil::date(2026, 12, 28), 10)
                .unwrap();
            assert_eq!(p.unwrap().missing_years, vec![2027]);
        }
    );

    both_backends!(the_explained_case_deadline_matches_the_hand_count, |s: &Scratch| {
        let w = world(s);
        let officer = w.actor(Role::Officer);
        let t = |x: &str| jingzhi_domain::time::parse_instant(x).unwrap();
        let d = w
            .app
            .compute_deadline(
                &officer,
                &DeadlineRequest {
                    rule: "case_decision_90d".into(),
                    anchor: t("2026-03-02T10:00"),
                    suspensions: vec![Suspension::closed(
                        t("2026-04-10T09:00"),
                        t("2026-04-22T15:00"),
                        "听证",
                        "李四",
                    )],
                    extensions: vec![Extension::new(30, "张三", "案情复杂")],
                    met_at: None,
                    now: Some(t("2026-06-01T09:00")),
                },
            )
            .unwrap();
        assert_eq!(
            d.explanation(),
            "办案期限：自2026年3月2日立案起90日，扣除听证期间12日，经张三批准延长30日，至2026年7月12日届满"
        );
        let e = w
            .app
            .compute_deadline(
                &officer,
                &DeadlineRequest {
                    rule: "nope".into(),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert!(e.message.contains("未知的期限规则"));
    });

    both_backends!(calendar_import_replaces_a_year_validates_and_reloads, |s: &Scratch| {
        let w = world(s);
        let admin = w.actor(Role::Admin);
        let csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n2027-02-10,holiday,春节\n";
        let e = w
            .app
            .import_calendar(
                &admin,
                "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-05,workday,x\n",
                CalendarFile::Csv {
                    year: 2027,
                    source: "测试".into(),
                },
                false,
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ImportRejected);
        assert!(e.message.contains("第3行"), "{}", e.message);
        assert!(
            w.app.calendar_year(&admin, 2027).unwrap().provisional.is_some(),
            "nothing imported"
        );
        let dry = w
            .app
            .import_calendar(
                &admin,
                csv,
                CalendarFile::Csv {
                    year: 2027,
                    source: "测试通知".into(),
                },
                true,
            )
            .unwrap();
        assert_eq!(dry.days.len(), 3);
        assert!(
            w.app.calendar_year(&admin, 2027).unwrap().provisional.is_some(),
            "dry run writes nothing"
        );
        w.app
            .import_calendar(
                &admin,
                csv,
                CalendarFile::Csv {
                    year: 2027,
                    source: "测试通知".into(),
                },
                false,
            )
            .unwrap();
        let y = w.app.calendar_year(&admin, 2027).unwrap();
        assert!(y.provisional.is_none());
        let officer = w.actor(Role::Officer);
        let (d, p) = w
            .app
            .add_working_days(&officer, jiff::civil::date(2027, 2, 5), 1)
            .unwrap();
        assert_eq!(
            d,
            jiff::civil::date(2027, 2, 6),
            "a Saturday made a working day by the import"
        );
        assert!(p.is_none());
        let e = w
            .app
            .import_calendar(
                &officer,
                csv,
                CalendarFile::Csv {
                    year: 2027,
                    source: "x".into(),
                },
                false,
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
        let trail = w
            .app
            .list_audit(
                &admin,
                &AuditFilter {
                    action_prefix: Some("calendar.import".into()),
                    ..Default::default()
                },
                5,
            )
            .unwrap();
        assert_eq!(trail.len(), 1);
    });

    both_backends!(rule_edits_are_validated_audited_and_take_effect, |s: &Scratch| {
        let w = world(s);
        let admin = w.actor(Role::Admin);
        let data = w.app.clock_rules(&admin).unwrap();
        let (_, def) = data
            .definitions
            .iter()
            .find(|(c, _)| c == "decision_publicity")
            .unwrap()
            .clone();
        assert!(def.contains("length = 7"));
        let bad = def.replace("unit = \"working_days\"", "unit = \"fortnights\"");
        let e = w.app.update_clock_rule(&admin, "decision_publicity", &bad).unwrap_err();
        assert!(
            e.field_message("definition").unwrap().contains("decision_publicity"),
            "{e:?}"
        );
        w.app
            .update_clock_rule(&admin, "decision_publicity", &def.replace("length = 7", "length = 20"))
            .unwrap();
        let officer = w.actor(Role::Officer);
        let d = w
            .app
            .compute_deadline(
                &officer,
                &DeadlineRequest {
                    rule: "decision_publicity".into(),
                    anchor: common::t("2026-03-02T02:00:00Z"),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(d.length, 20);
        assert_eq!(
            w.app
                .update_clock_rule(&officer, "decision_publicity", &def)
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
    });

    both_backends!(
        clocks_run_on_subjects_suspend_extend_meet_and_sweep_idempotently,
        |s: &Scratch| {
            let w = world(s);
            let lead = w.actor(Role::TeamLeader);
            let officer = w.actor(Role::Officer);
            let data = w.app.clock_data().unwrap();
            let t = |x: &str| jingzhi_domain::time::parse_instant(x).unwrap();
            // A case filed on 2026-03-02; now is 2026-03-02 09:00 (Shanghai).
            let v = s
                .store
                .write(|c| {
                    ck::start_clock(
                        c,
                        &data,
                        &lead,
                        ck::NewClock {
                            subject: Subject { kind: "case", id: 7 },
                            rule: "case_decision_90d",
                            anchor: t("2026-03-02T08:00"),
                            street_code: Some("310105001"),
                        },
                        w.app.now(),
                    )
                })
                .unwrap();
            assert_eq!(v.deadline.due_date, jiff::civil::date(2026, 5, 31));
            assert_eq!(v.row.state, "running");
            // An officer may not suspend (the rule names the approvers).
            let e = s
                .store
                .write(|c| ck::suspend_clock(c, &data, &officer, v.id, t("2026-03-10T09:00"), "听证", w.app.now()))
                .unwrap_err();
            assert_eq!(e.code, ErrorCode::Forbidden);
            s.store
                .write(|c| ck::suspend_clock(c, &data, &lead, v.id, t("2026-03-10T09:00"), "听证", w.app.now()))
                .unwrap();
            let v2 = s
                .store
                .write(|c| ck::resume_clock(c, &data, &lead, v.id, t("2026-03-22T09:00"), w.app.now()))
                .unwrap();
            assert_eq!(v2.deadline.due_date, jiff::civil::date(2026, 6, 12), "12 days added");
            let v3 = s
                .store
                .write(|c| ck::extend_clock(c, &data, &lead, v.id, 30, "案情复杂", w.app.now()))
                .unwrap();
            assert_eq!(v3.deadline.due_date, jiff::civil::date(2026, 7, 12));
            assert!(v3.deadline.explanation().contains("延长30日"));
            // A second clock that will be overdue, and a third already met.
            let late = s
                .store
                .write(|c| {
                    ck::start_clock(
                        c,
                        &data,
                        &lead,
                        ck::NewClock {
                            subject: Subject { kind: "clue", id: 1 },
                            rule: "report_feedback_5wd",
                            anchor: t("2026-02-20T09:00"),
                            street_code: Some("310105001"),
                        },
                        w.app.now(),
                    )
                })
                .unwrap();
            let met = s
                .store
                .write(|c| {
                    ck::start_clock(
                        c,
                        &data,
                        &lead,
                        ck::NewClock {
                            subject: Subject { kind: "clue", id: 2 },
                            rule: "report_feedback_5wd",
                            anchor: t("2026-02-26T09:00"),
                            street_code: Some("310105002"),
                        },
                        w.app.now(),
                    )
                })
                .unwrap();
            let done = s
                .store
                .write(|c| ck::meet_clock(c, &data, &lead, met.id, t("2026-03-01T10:00"), w.app.now()))
                .unwrap();
            assert_eq!(done.deadline.state, ClockState::Met);
            let r1 = w.app.sweep_clocks().unwrap();
            assert_eq!((r1.checked, r1.overdue), (2, 1), "{r1:?}");
            let r2 = w.app.sweep_clocks().unwrap();
            assert_eq!(r2.alerts_raised, 0, "alerts are raised once");
            assert_eq!(r2.changed, 0);
            let views = s
                .store
                .read(|c| ck::clocks_of(c, &data, Subject { kind: "clue", id: 1 }, w.app.now()))
                .unwrap();
            assert_eq!(views[0].row.state, "overdue");
            assert_eq!(views[0].id, late.id);
            let counts = w.app.clock_counts(&lead).unwrap();
            assert!(counts.iter().any(|(s, n)| s == "overdue" && *n == 1), "{counts:?}");
            assert!(w.app.scheduled_sweep().unwrap().is_some());
            assert!(
                w.app.scheduled_sweep().unwrap().is_none(),
                "the same five-minute slot runs once"
            );
        }
    );
}
