//! Clue intake and dispatch through the real use cases, on both backends.

mod common;

use common::*;
use jiff::SignedDuration;
use jingzhi_app::clues::{ListRequest, NewClue, Point, Queue, Step};
use jingzhi_app::{Actor, ErrorCode};
use jingzhi_domain::clue::{Channel, ClueAction, ClueStatus, Disposal, Verification, WorkOrderType};
use jingzhi_domain::org::OrgKind;
use jingzhi_domain::role::Role;
use jingzhi_testkit::{Scratch, both_backends};

fn hotline(w: &World, text: &str, address: &str, ref_no: &str) -> NewClue {
    let _ = w;
    NewClue {
        source_ref: Some(ref_no.into()),
        work_order_type: Some(WorkOrderType::Complaint),
        reporter_name: Some("王先生".into()),
        reporter_phone: Some("13812345678".into()),
        ..NewClue::new(Channel::Hotline12345, text, address)
    }
}

fn compound(w: &World, name: &str) -> jingzhi_domain::org::Compound {
    w.app
        .list_compounds(&w.actor(Role::Admin))
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name}"))
}

fn team_of(w: &World, street: &str) -> i64 {
    w.app
        .list_orgs(&w.actor(Role::Admin))
        .unwrap()
        .into_iter()
        .find(|o| o.code == format!("team-{street}"))
        .unwrap()
        .id
}

/// A second officer account in another street's team.
fn officer_in(w: &World, street: &str, username: &str) -> Actor {
    let admin = w.actor(Role::Admin);
    w.app
        .create_user_with_password(
            &admin,
            &jingzhi_app::users::UserInput {
                username: username.into(),
                display_name: "其他队员".into(),
                org_id: team_of(w, street),
                phone: String::new(),
                certificate_no: format!("3101052026{}", username.len() * 7 + 1000),
                roles: vec![Role::Officer],
            },
            "Changning-2026!",
            false,
        )
        .unwrap();
    let s = w.app.login(username, "Changning-2026!", "127.0.0.1", None).unwrap();
    w.app.session_actor(&s.token).unwrap().unwrap()
}

both_backends!(
    a_12345_work_order_is_classified_located_numbered_timed_and_dispatched,
    |s: &Scratch| {
        let w = demo_world(s);
        let d = w.actor(Role::Dispatcher);
        let cp = compound(&w, "天山一村");
        let mut n = hotline(
            &w,
            "楼下饭店油烟太大，排烟管道直接对着居民楼，每天晚上熏得窗都不敢开",
            &cp.address,
            "GD20260302001",
        );
        n.compound_id = Some(cp.id);
        let r = w.app.register_clue(&d, &n).unwrap();
        assert!(r.created);
        let k = &r.clue;
        assert_eq!(k.matter_code, "catering_fumes");
        assert_eq!(k.no, "XS2026000001");
        assert_eq!(k.street_code.as_deref(), Some(cp.street_code.as_str()));
        assert!(!k.locate_reason.is_empty());
        assert!(r.auto_dispatched, "confident, located, in remit: dispatched at once");
        assert_eq!(k.status, ClueStatus::Dispatched);
        assert_eq!(k.assigned_org_id, Some(team_of(&w, cp.street_code.as_str())));
        let v = w.app.clue_view(&d, k.id).unwrap();
        let rules: Vec<&str> = v.clocks.iter().map(|c| c.row.rule_code.as_str()).collect();
        assert_eq!(rules, vec!["hotline_complaint_5wd", "report_feedback_5wd"]);
        assert!(v.clocks[0].deadline.explanation().contains("5个工作日"));
        assert_eq!(v.events.len(), 2, "registered, then dispatched");
        // Re-submitting the same work order changes nothing.
        let again = w.app.register_clue(&d, &n).unwrap();
        assert!(!again.created);
        assert_eq!(again.clue.id, k.id);
    }
);

both_backends!(the_whole_workflow_with_clocks_timeline_and_audit, |s: &Scratch| {
    let w = demo_world(s);
    let d = w.actor(Role::Dispatcher);
    let lead = w.actor(Role::TeamLeader);
    let officer = w.actor(Role::Officer);
    let street = lead.org.street_code.clone().unwrap();
    let mut n = NewClue::new(
        Channel::PublicReport,
        "有人在人行道上摆摊卖水果，占了半条人行道",
        "长宁区某路口",
    );
    n.reporter_phone = Some("13900001111".into());
    n.matter_code = Some("disorderly_stalls".into());
    let k = w.app.register_clue(&d, &n).unwrap().clue;
    assert_eq!(k.status, ClueStatus::Registered, "no place found: a person dispatches");
    assert_eq!(k.locate_method.code(), "fallback");
    let e = w
        .app
        .clue_step(&officer, k.id, ClueAction::Accept, &Step::default())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    w.app.clue_step(&d, k.id, ClueAction::Accept, &Step::default()).unwrap();
    let e = w
        .app
        .clue_step(&d, k.id, ClueAction::Verify, &Step::default())
        .unwrap_err();
    assert!(
        e.message.contains("不能核查") || e.code == ErrorCode::Forbidden,
        "{e:?}"
    );
    let team = team_of(&w, street.as_str());
    w.app
        .clue_step(
            &d,
            k.id,
            ClueAction::Dispatch,
            &Step {
                org_id: Some(team),
                ..Default::default()
            },
        )
        .unwrap();
    w.app
        .clue_step(&officer, k.id, ClueAction::Sign, &Step::default())
        .unwrap();
    w.clock.advance(SignedDuration::from_hours(3));
    let e = w
        .app
        .clue_step(&officer, k.id, ClueAction::Verify, &Step::default())
        .unwrap_err();
    assert_eq!(e.field_message("verification"), Some("请选择核查结论（属实/不属实）"));
    w.app
        .clue_step(
            &officer,
            k.id,
            ClueAction::Verify,
            &Step {
                verification: Some(Verification::Confirmed),
                text: "现场确有流动摊贩".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let e = w
        .app
        .clue_step(
            &officer,
            k.id,
            ClueAction::Dispose,
            &Step {
                disposal: Some(Disposal::FileCase),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.message, "立案须由队长批准");
    let e = w
        .app
        .clue_step(
            &officer,
            k.id,
            ClueAction::Dispose,
            &Step {
                disposal: Some(Disposal::OrderCorrection),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(e.field_message("recheck_date").is_some());
    w.app
        .clue_step(
            &officer,
            k.id,
            ClueAction::Dispose,
            &Step {
                disposal: Some(Disposal::OrderCorrection),
                recheck_date: Some(jiff::civil::date(2026, 3, 5)),
                text: "已劝离，责令改正".into(),
                ..Default::default()
            },
        )
        .unwrap();
    w.app
        .clue_step(
            &officer,
            k.id,
            ClueAction::Reply,
            &Step {
                text: "经核查属实，已责令改正并将复查。".into(),
                ..Default::default()
            },
        )
        .unwrap();
    w.app.clue_step(&d, k.id, ClueAction::Close, &Step::default()).unwrap();
    let v = w.app.clue_view(&d, k.id).unwrap();
    assert_eq!(v.clue.status, ClueStatus::Closed);
    assert_eq!(v.clocks.len(), 1);
    assert_eq!(
        v.clocks[0].deadline.state.code(),
        "met",
        "replied within 5 working days"
    );
    let actions: Vec<&str> = v.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "register", "accept", "dispatch", "sign", "verify", "dispose", "reply", "close"
        ]
    );
    assert!(v.allowed.is_empty(), "nothing left to do");
    let admin = w.actor(Role::Admin);
    let trail = w
        .app
        .list_audit(
            &admin,
            &jingzhi_app::audit::AuditFilter {
                entity: Some("clue".into()),
                entity_id: Some(k.id.to_string()),
                ..Default::default()
            },
            50,
        )
        .unwrap();
    assert_eq!(trail.len(), 8);
});

both_backends!(
    send_back_and_reassign_carry_reasons_and_count_as_returns,
    |s: &Scratch| {
        let w = demo_world(s);
        let d = w.actor(Role::Dispatcher);
        let lead = w.actor(Role::TeamLeader);
        let mut n = NewClue::new(Channel::Patrol, "共享单车堆满人行道", "某路");
        n.matter_code = Some("shared_bike_parking".into());
        let k = w.app.register_clue(&d, &n).unwrap().clue;
        let team = lead.org.id;
        w.app
            .clue_step(
                &d,
                k.id,
                ClueAction::Dispatch,
                &Step {
                    org_id: Some(team),
                    ..Default::default()
                },
            )
            .unwrap();
        let e = w
            .app
            .clue_step(&lead, k.id, ClueAction::SendBack, &Step::default())
            .unwrap_err();
        assert_eq!(e.field_message("reason"), Some("退单须写明理由"));
        w.app
            .clue_step(
                &lead,
                k.id,
                ClueAction::SendBack,
                &Step {
                    reason: "不属本街道辖区".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let k2 = w.app.clue_view(&d, k.id).unwrap().clue;
        assert_eq!(k2.status, ClueStatus::Accepted);
        assert_eq!(k2.assigned_org_id, None);
        let other = team_of(&w, "310105002");
        w.app
            .clue_step(
                &d,
                k.id,
                ClueAction::Dispatch,
                &Step {
                    org_id: Some(team),
                    ..Default::default()
                },
            )
            .unwrap();
        let e = w
            .app
            .clue_step(
                &d,
                k.id,
                ClueAction::Reassign,
                &Step {
                    org_id: Some(other),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert!(e.field_message("reason").is_some());
        w.app
            .clue_step(
                &d,
                k.id,
                ClueAction::Reassign,
                &Step {
                    org_id: Some(other),
                    reason: "地址在江苏路".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(
            w.app.clue_view(&d, k.id).unwrap().clue.street_code.as_deref(),
            Some("310105002")
        );
        let e = w.app.clue_view(&lead, k.id).unwrap_err();
        assert_eq!(e.code, ErrorCode::OutOfScope, "the first team no longer sees it");
        let returns = w
            .app
            .dispatch_returns(&d, w.app.now() - SignedDuration::from_hours(1))
            .unwrap();
        assert!(returns.iter().any(|(a, _, n)| a == "send_back" && *n == 1));
        assert!(returns.iter().any(|(a, _, n)| a == "reassign" && *n == 1));
    }
);

both_backends!(
    repeated_complaints_are_linked_counted_and_replied_separately,
    |s: &Scratch| {
        let w = demo_world(s);
        let d = w.actor(Role::Dispatcher);
        let officer = w.actor(Role::Officer);
        let lead = w.actor(Role::TeamLeader);
        let cp = w.app.list_compounds(&lead).unwrap().remove(0);
        let mut a = hotline(
            &w,
            "小区里有人在楼道里给电瓶车充电，电线从窗户拉出来，很危险",
            &cp.address,
            "GD1",
        );
        a.compound_id = Some(cp.id);
        a.matter_code = Some("ebike_charging".into());
        let first = w.app.register_clue(&d, &a).unwrap().clue;
        w.clock.advance(SignedDuration::from_hours(20));
        let mut b = hotline(
            &w,
            "又有人在楼道电瓶车飞线充电，上次投诉了还是没人管",
            &cp.address,
            "GD2",
        );
        b.compound_id = Some(cp.id);
        b.matter_code = Some("ebike_charging".into());
        let second = w.app.register_clue(&d, &b).unwrap();
        let (primary, reasons) = second.repeat_of.clone().expect("a repeat");
        assert_eq!(primary, first.id);
        assert!(!reasons.is_empty());
        assert_eq!(second.clue.status, ClueStatus::Linked);
        let rep = w
            .app
            .list_clues(
                &d,
                &ListRequest {
                    queue: Queue::Repeated,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(rep.rows.iter().map(|k| k.id).collect::<Vec<_>>(), vec![first.id]);
        assert_eq!(rep.rows[0].repeat_count, 1);
        // Each reporter keeps its own deadline.
        let v2 = w.app.clue_view(&d, second.clue.id).unwrap();
        assert!(v2.clocks.iter().any(|c| c.row.rule_code == "hotline_complaint_5wd"));
        // Handling the primary moves the repeat to its own reply.
        if w.app.clue_view(&d, first.id).unwrap().clue.status == ClueStatus::Registered {
            w.app
                .clue_step(
                    &d,
                    first.id,
                    ClueAction::Dispatch,
                    &Step {
                        org_id: Some(lead.org.id),
                        ..Default::default()
                    },
                )
                .unwrap();
        }
        w.app
            .clue_step(&officer, first.id, ClueAction::Sign, &Step::default())
            .unwrap();
        w.app
            .clue_step(
                &officer,
                first.id,
                ClueAction::Verify,
                &Step {
                    verification: Some(Verification::Confirmed),
                    ..Default::default()
                },
            )
            .unwrap();
        w.app
            .clue_step(
                &lead,
                first.id,
                ClueAction::Dispose,
                &Step {
                    disposal: Some(Disposal::FileCase),
                    ..Default::default()
                },
            )
            .unwrap();
        let v2 = w.app.clue_view(&d, second.clue.id).unwrap();
        assert_eq!(v2.clue.status, ClueStatus::Disposed);
        w.app
            .clue_step(
                &d,
                second.clue.id,
                ClueAction::Reply,
                &Step {
                    text: "已立案查处。".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let v2 = w.app.clue_view(&d, second.clue.id).unwrap();
        assert!(
            v2.clocks.iter().all(|c| c.deadline.met_at.is_some()),
            "its own reply met its own clocks"
        );
    }
);

both_backends!(
    partners_see_only_their_own_and_report_only_in_their_compounds,
    |s: &Scratch| {
        let w = demo_world(s);
        let p = w.actor(Role::PropertyStaff);
        let mine = w.app.list_compounds(&p).unwrap();
        let other = w
            .app
            .list_compounds(&w.actor(Role::Admin))
            .unwrap()
            .into_iter()
            .find(|c| c.property_company_id != Some(p.org.id))
            .unwrap();
        let mut n = NewClue::new(Channel::PropertyReport, "业主装修时在敲承重墙，劝阻无效", "");
        n.compound_id = Some(other.id);
        let e = w.app.register_clue(&p, &n).unwrap_err();
        assert_eq!(e.field_message("compound_id"), Some("只能上报本企业管理的小区"));
        n.compound_id = Some(mine[0].id);
        n.discovered_at = Some(w.app.now() - SignedDuration::from_hours(30));
        let r = w.app.register_clue(&p, &n).unwrap();
        assert_eq!(r.clue.channel, Channel::PropertyReport);
        assert_eq!(r.clue.reporter_org_id, Some(p.org.id));
        assert_eq!(r.clue.matter_code, "load_bearing_damage");
        let v = w.app.clue_view(&p, r.clue.id).unwrap();
        let late = v
            .clocks
            .iter()
            .find(|c| c.row.rule_code == "property_report_24h")
            .unwrap();
        assert_eq!(
            late.deadline.state.code(),
            "missed",
            "reported 30 hours after discovery"
        );
        assert!(!v.show_contact);
        // Someone else's clue is out of scope for the company.
        let d = w.actor(Role::Dispatcher);
        let theirs = w
            .app
            .register_clue(&d, &hotline(&w, "饭店油烟扰民", "仙霞路1号", "GD9"))
            .unwrap()
            .clue;
        assert_eq!(w.app.clue_view(&p, theirs.id).unwrap_err().code, ErrorCode::OutOfScope);
        let list = w.app.list_clues(&p, &ListRequest::default()).unwrap();
        assert_eq!(list.rows.iter().map(|k| k.id).collect::<Vec<_>>(), vec![r.clue.id]);
    }
);

both_backends!(
    out_of_remit_clues_are_transferred_and_the_department_sees_them,
    |s: &Scratch| {
        let w = demo_world(s);
        let d = w.actor(Role::Dispatcher);
        let liaison = w.actor(Role::DepartmentLiaison);
        let r = w
            .app
            .register_clue(
                &d,
                &hotline(
                    &w,
                    "物业公司乱收物业费，还不给开发票，物业服务很差",
                    "长宁区某小区",
                    "GD10",
                ),
            )
            .unwrap();
        assert_eq!(r.clue.matter_code, "other");
        assert_eq!(r.clue.suggested_department.as_deref(), Some("housing"));
        assert_eq!(r.clue.status, ClueStatus::Registered, "never dispatched automatically");
        let v = w.app.clue_view(&d, r.clue.id).unwrap();
        assert!(v.clocks.iter().any(|c| c.row.rule_code == "report_transfer_3wd"));
        assert_eq!(
            w.app.clue_view(&liaison, r.clue.id).unwrap_err().code,
            ErrorCode::OutOfScope
        );
        let e = w
            .app
            .clue_step(
                &d,
                r.clue.id,
                ClueAction::TransferOut,
                &Step {
                    org_id: Some(liaison.org.id),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert!(e.field_message("reason").is_some());
        w.app
            .clue_step(
                &d,
                r.clue.id,
                ClueAction::TransferOut,
                &Step {
                    org_id: Some(liaison.org.id),
                    reason: "物业服务纠纷属房管部门职责".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let v = w.app.clue_view(&liaison, r.clue.id).unwrap();
        assert_eq!(v.clue.status, ClueStatus::Transferred);
        assert_eq!(
            v.clocks
                .iter()
                .find(|c| c.row.rule_code == "report_transfer_3wd")
                .unwrap()
                .deadline
                .state
                .code(),
            "met"
        );
        let list = w
            .app
            .list_clues(
                &liaison,
                &ListRequest {
                    queue: Queue::Transferred,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(list.total, 1);
    }
);

both_backends!(corrections_are_kept_as_labels, |s: &Scratch| {
    let w = demo_world(s);
    let d = w.actor(Role::Dispatcher);
    let k = w
        .app
        .register_clue(&d, &hotline(&w, "工地上午九点多就开始用电钻", "长宁区某工地", "GD11"))
        .unwrap()
        .clue;
    w.app
        .clue_step(
            &d,
            k.id,
            ClueAction::Reclassify,
            &Step {
                matter_code: Some("renovation_violation".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let k2 = w.app.clue_view(&d, k.id).unwrap().clue;
    assert_eq!(k2.matter_code, "renovation_violation");
    assert!(k2.matter_confirmed);
    let labels = s.store.read(jingzhi_store::repo::clues::labels).unwrap();
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].0, "renovation_violation");
});

both_backends!(search_finds_two_character_words_and_single_characters, |s: &Scratch| {
    let w = demo_world(s);
    let d = w.actor(Role::Dispatcher);
    w.app
        .register_clue(&d, &hotline(&w, "饭店油烟扰民严重", "仙霞路100号", "GD20"))
        .unwrap();
    w.app
        .register_clue(&d, &hotline(&w, "工地夜间施工噪声很大", "天山路200号", "GD21"))
        .unwrap();
    let find = |q: &str| {
        w.app
            .list_clues(
                &d,
                &ListRequest {
                    q: q.into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .total
    };
    assert_eq!(find("油烟"), 1);
    assert_eq!(find("夜间施工"), 1);
    assert_eq!(find("噪"), 1, "one character: substring match");
    assert_eq!(find("天山路"), 1, "addresses are searchable");
    assert_eq!(find("垃圾"), 0);
    assert_eq!(find("XS2026000001"), 1, "clue numbers are searchable");
});

both_backends!(attachments_are_stored_by_hash_and_checked_on_read, |s: &Scratch| {
    let w = demo_world(s);
    // A file store of this test's own, so that tampering with it cannot disturb other tests.
    let dir = std::env::temp_dir().join(format!("jz-clue-files-{}", jingzhi_testkit::random_suffix()));
    let files = std::sync::Arc::new(jingzhi_files::LocalFiles::new(&dir));
    let app = w.app.clone().with_files(files.clone());
    let d = w.actor(Role::Dispatcher);
    let k = app
        .register_clue(&d, &hotline(&w, "饭店油烟扰民", "仙霞路100号", "GD30"))
        .unwrap()
        .clue;
    let png = b"\x89PNG\r\n\x1a\nfake image bytes".to_vec();
    let id = app.attach_to_clue(&d, k.id, "现场.png", "image/png", &png).unwrap();
    let (att, bytes) = app.clue_attachment(&d, id).unwrap();
    assert_eq!(bytes, png);
    assert_eq!(att.filename, "现场.png");
    assert_eq!(att.sha256, jingzhi_files::sha256_hex(&png));
    // The bytes are in the file store, not in the database.
    let path = files.path_of(&att.sha256).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), png);
    let blobs = s
        .store
        .read(|c| c.query_one("SELECT COUNT(*) FROM blob", &[]).map(|r| r.i64(0)))
        .unwrap();
    assert_eq!(blobs, 0);

    let e = app
        .attach_to_clue(&d, k.id, "x.exe", "application/x-msdownload", &png)
        .unwrap_err();
    assert!(e.field_message("file").unwrap().contains("不支持"));
    // The type is read from the bytes: a PNG sent as a JPEG, or a text file sent as a PDF, is refused.
    let e = app.attach_to_clue(&d, k.id, "x.jpg", "image/jpeg", &png).unwrap_err();
    assert!(e.field_message("file").unwrap().contains("不符"), "{e:?}");
    let e = app
        .attach_to_clue(&d, k.id, "x.pdf", "application/pdf", b"not a pdf at all")
        .unwrap_err();
    assert!(e.field_message("file").unwrap().contains("无法识别"), "{e:?}");

    // Tampering with the file on disk is caught on read.
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, b"tampered").unwrap();
    let e = app.clue_attachment(&d, id).unwrap_err();
    assert_eq!(e.code, ErrorCode::Internal);
    assert!(e.message.contains("篡改"), "{e:?}");

    // Attachments stored before the file store (bytes in the `blob` table) are still read, and
    // still checked.
    let old = b"\x89PNG\r\n\x1a\nstored in the database".to_vec();
    let old_sha = jingzhi_files::sha256_hex(&old);
    let old_id = s
        .store
        .write(|c| {
            jingzhi_store::repo::clues::put_blob(c, &old_sha, "image/png", &old, w.app.now())?;
            jingzhi_store::repo::clues::insert_attachment(
                c,
                &jingzhi_store::repo::clues::Attachment {
                    id: 0,
                    clue_id: k.id,
                    sha256: old_sha.clone(),
                    filename: "旧照片.png".into(),
                    content_type: "image/png".into(),
                    size: old.len() as i64,
                    uploaded_by: "调度员".into(),
                    uploaded_at: w.app.now(),
                },
            )
        })
        .unwrap();
    assert!(!files.path_of(&old_sha).unwrap().exists());
    assert_eq!(app.clue_attachment(&d, old_id).unwrap().1, old);
    s.store
        .write(|c| {
            c.execute(
                "UPDATE blob SET data = $1",
                jingzhi_store::params![b"tampered".to_vec()],
            )
        })
        .unwrap();
    assert!(app.clue_attachment(&d, old_id).unwrap_err().message.contains("篡改"));
    let _ = std::fs::remove_dir_all(&dir);
});

both_backends!(gcj02_points_are_converted_and_located_by_boundary, |s: &Scratch| {
    let w = demo_world(s);
    let d = w.actor(Role::Dispatcher);
    let cp = compound(&w, "天山一村");
    let (lng, lat) = (cp.lng.unwrap(), cp.lat.unwrap());
    let gcj = jingzhi_domain::geo::Wgs84::new(lng, lat).to_gcj02();
    let mut n = NewClue::new(Channel::GridReport, "路边有人乱倒建筑垃圾", "");
    n.point = Some(Point::Gcj02(gcj.lng, gcj.lat));
    let k = w.app.register_clue(&d, &n).unwrap().clue;
    assert!(
        (k.lng.unwrap() - lng).abs() < 1e-5 && (k.lat.unwrap() - lat).abs() < 1e-5,
        "stored in WGS84"
    );
    assert_eq!(k.street_code.as_deref(), Some(cp.street_code.as_str()));
    assert_eq!(k.locate_method.code(), "polygon");
});

both_backends!(another_team_cannot_touch_a_clue, |s: &Scratch| {
    let w = demo_world(s);
    let d = w.actor(Role::Dispatcher);
    let lead = w.actor(Role::TeamLeader);
    let stranger = officer_in(&w, "310105102", "stranger.one");
    assert_eq!(stranger.org.kind, OrgKind::StreetTeam);
    let mut n = NewClue::new(Channel::Patrol, "占道经营", "某路");
    n.matter_code = Some("street_vending".into());
    let k = w.app.register_clue(&d, &n).unwrap().clue;
    w.app
        .clue_step(
            &d,
            k.id,
            ClueAction::Dispatch,
            &Step {
                org_id: Some(lead.org.id),
                ..Default::default()
            },
        )
        .unwrap();
    let e = w
        .app
        .clue_step(&stranger, k.id, ClueAction::Sign, &Step::default())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
    let list = w.app.list_clues(&stranger, &ListRequest::default()).unwrap();
    assert_eq!(list.total, 0);
});

both_backends!(queues_count_what_each_role_works_on, |s: &Scratch| {
    let w = demo_world(s);
    let d = w.actor(Role::Dispatcher);
    let officer = w.actor(Role::Officer);
    let mut n = NewClue::new(Channel::PublicReport, "有人乱贴小广告", "某路");
    n.matter_code = Some("outdoor_signage".into());
    n.reporter_phone = Some("13900002222".into());
    w.app.register_clue(&d, &n).unwrap();
    let counts = w.app.clue_queue_counts(&d).unwrap();
    assert!(
        counts.iter().any(|(q, n)| *q == Queue::ToAccept && *n == 1),
        "{counts:?}"
    );
    let counts = w.app.clue_queue_counts(&officer).unwrap();
    assert!(
        counts.iter().all(|(q, _)| *q != Queue::ToAccept),
        "officers do not accept"
    );
    // Overdue after the 5 working days pass; the sweep marks it and the queue shows it.
    w.clock.advance(SignedDuration::from_hours(24 * 9));
    w.app.sweep_clocks().unwrap();
    let over = w
        .app
        .list_clues(
            &d,
            &ListRequest {
                queue: Queue::Overdue,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(over.total, 1);
    assert_eq!(over.clock_states[0].1, "overdue");
});

mod hotline_12345 {
    use super::*;
    use jingzhi_app::hotline::{EXPORT_HEADERS, rows_of_file};

    const GOOD: &str = "工单编号,受理时间,诉求类型,诉求内容,事发地址,联系人,联系电话,是否匿名\n\
GD2026030201,2026-03-01 09:30,投诉,楼下饭店油烟太大熏得不行,长宁区仙霞路100号,张女士,13800000001,否\n\
GD2026030202,2026/3/1 10:05,举报,工地晚上十一点还在施工，噪音很大,长宁区天山路300号,,,是\n\
GD2026030203,2026-03-01 11:00,咨询,请问装修需要去哪里登记,长宁区某小区,李先生,13800000003,否\n";

    both_backends!(
        a_file_imports_all_or_nothing_and_a_second_import_changes_nothing,
        |s: &Scratch| {
            let w = demo_world(s);
            let d = w.actor(Role::Dispatcher);
            let rows = rows_of_file(GOOD.as_bytes()).unwrap();
            let dry = w.app.import_12345(&d, &rows, true).unwrap();
            assert_eq!((dry.rows, dry.new, dry.existing), (3, 3, 0));
            assert_eq!(
                w.app.list_clues(&d, &ListRequest::default()).unwrap().total,
                0,
                "a dry run writes nothing"
            );
            let r = w.app.import_12345(&d, &rows, false).unwrap();
            assert_eq!(r.new, 3);
            let list = w
                .app
                .list_clues(
                    &d,
                    &ListRequest {
                        channel: Some(Channel::Hotline12345),
                        ..Default::default()
                    },
                )
                .unwrap();
            assert_eq!(list.total, 3);
            let anon = list
                .rows
                .iter()
                .find(|k| k.source_ref.as_deref() == Some("GD2026030202"))
                .unwrap();
            assert!(anon.anonymous && anon.reporter_phone.is_none());
            let consult = list
                .rows
                .iter()
                .find(|k| k.source_ref.as_deref() == Some("GD2026030203"))
                .unwrap();
            assert_eq!(consult.work_order_type, Some(WorkOrderType::Consult));
            let again = w.app.import_12345(&d, &rows, false).unwrap();
            assert_eq!((again.new, again.existing), (0, 3));
            assert_eq!(w.app.list_clues(&d, &ListRequest::default()).unwrap().total, 3);
        }
    );

    both_backends!(
        every_bad_row_is_listed_in_chinese_and_nothing_is_imported,
        |s: &Scratch| {
            let w = demo_world(s);
            let d = w.actor(Role::Dispatcher);
            let bad = format!(
                "{GOOD}GD2026030201,2026-03-01 12:00,投诉,重复编号,某路\n,2026-03-01,投诉,没有编号,某路\nGD9,明天,表扬,好,某路\nGD10,2026-03-01,投诉,,\n"
            );
            let e = w
                .app
                .import_12345(&d, &rows_of_file(bad.as_bytes()).unwrap(), false)
                .unwrap_err();
            assert_eq!(e.code, ErrorCode::ImportRejected);
            let m = e.message.clone();
            for want in [
                "第5行（工单GD2026030201）：工单编号与第2行重复",
                "第6行：缺少工单编号",
                "第7行（工单GD9）：受理时间“明天”无法识别",
                "诉求类型“表扬”无法识别",
                "第8行（工单GD10）：缺少诉求内容",
                "缺少事发地址",
            ] {
                assert!(m.contains(want), "missing {want} in\n{m}");
            }
            assert_eq!(w.app.list_clues(&d, &ListRequest::default()).unwrap().total, 0);
            let e = w
                .app
                .import_12345(&d, &rows_of_file("编号,内容\nA,B\n".as_bytes()).unwrap(), false)
                .unwrap_err();
            assert!(e.message.contains("缺少必需的列：受理时间"));
            assert_eq!(
                w.app
                    .import_12345(&w.actor(Role::Officer), &rows_of_file(GOOD.as_bytes()).unwrap(), true)
                    .unwrap_err()
                    .code,
                ErrorCode::Forbidden
            );
        }
    );

    both_backends!(
        a_late_bad_row_rolls_back_rows_already_written_in_the_same_import,
        |s: &Scratch| {
            let w = demo_world(s);
            let d = w.actor(Role::Dispatcher);
            // 1,200 good rows are stored in chunks while later rows are still being checked;
            // the last row (received last) fails only in the full check.
            let mut csv = String::from("工单编号,受理时间,诉求类型,诉求内容,事发地址\n");
            for i in 0..1200 {
                csv.push_str(&format!(
                    "GDL{i:05},2026-02-{:02} {:02}:{:02},投诉,路边有人占道经营卖水果,长宁区仙霞路{}号\n",
                    1 + i / 600,
                    8 + (i / 60) % 10,
                    i % 60,
                    i + 1
                ));
            }
            csv.push_str(&format!(
                "GDLAST,2026-03-01 20:00,投诉,{},长宁区仙霞路1号\n",
                "很".repeat(4001)
            ));
            let e = w
                .app
                .import_12345(&d, &rows_of_file(csv.as_bytes()).unwrap(), false)
                .unwrap_err();
            assert_eq!(e.code, ErrorCode::ImportRejected);
            assert!(
                e.message.contains("第1202行（工单GDLAST）：问题描述不能超过4000字"),
                "{}",
                e.message
            );
            assert_eq!(w.app.list_clues(&d, &ListRequest::default()).unwrap().total, 0);
            // Without the bad row everything goes in, numbered from 1: the rollback gave the
            // numbers back.
            let good: String = csv.lines().take(1201).map(|l| format!("{l}\n")).collect();
            let r = w
                .app
                .import_12345(&d, &rows_of_file(good.as_bytes()).unwrap(), false)
                .unwrap();
            assert_eq!((r.rows, r.new, r.existing), (1200, 1200, 0));
            let first = w
                .app
                .list_clues(
                    &d,
                    &ListRequest {
                        q: "GDL00000".into(),
                        ..Default::default()
                    },
                )
                .unwrap();
            assert_eq!(first.rows[0].no, "XS2026000001");
        }
    );

    both_backends!(
        rows_are_registered_in_received_order_and_only_new_rows_are_added,
        |s: &Scratch| {
            let w = demo_world(s);
            let d = w.actor(Role::Dispatcher);
            let cp = w.app.list_compounds(&d).unwrap().remove(0);
            // The later complaint comes first in the file.
            let csv = format!(
                "工单编号,受理时间,诉求类型,诉求内容,事发地址,事项\n\
                 GDB,2026-03-01 15:00,投诉,又有人在楼道电瓶车飞线充电，上次投诉了还是没人管,{a},ebike_charging\n\
                 GDA,2026-03-01 09:00,投诉,小区楼道里有人给电瓶车充电，电线从窗户拉出来,{a},ebike_charging\n",
                a = cp.address
            );
            let r = w
                .app
                .import_12345(&d, &rows_of_file(csv.as_bytes()).unwrap(), false)
                .unwrap();
            assert_eq!(r.new, 2);
            let all = w.app.list_clues(&d, &ListRequest::default()).unwrap().rows;
            let by_ref = |x: &str| all.iter().find(|k| k.source_ref.as_deref() == Some(x)).unwrap().clone();
            let (a, b) = (by_ref("GDA"), by_ref("GDB"));
            assert!(a.no < b.no, "numbers follow the time received: {} {}", a.no, b.no);
            assert_eq!(
                b.duplicate_of,
                Some(a.id),
                "the later complaint repeats the earlier one"
            );
            assert_eq!(a.duplicate_of, None);
            // A file with old and new rows adds only the new ones.
            let more = format!("{csv}GDC,2026-03-01 16:00,投诉,路边有人占道经营卖水果,长宁区仙霞路300号,\n");
            let r = w
                .app
                .import_12345(&d, &rows_of_file(more.as_bytes()).unwrap(), true)
                .unwrap();
            assert_eq!((r.rows, r.new, r.existing), (3, 1, 2));
            let r = w
                .app
                .import_12345(&d, &rows_of_file(more.as_bytes()).unwrap(), false)
                .unwrap();
            assert_eq!((r.rows, r.new, r.existing), (3, 1, 2));
            assert_eq!(w.app.list_clues(&d, &ListRequest::default()).unwrap().total, 3);
        }
    );

    /// Work orders with many repeats: a few families of one problem each, told in varied words,
    /// at a few addresses (same place key) and at points (same place within the radius, with
    /// addresses that differ), received in order over three days.
    fn repeat_heavy_rows(n: usize) -> Vec<String> {
        let families: [&[&str]; 5] = [
            &[
                "楼下饭店油烟太大，熏得家里全是味",
                "饭店排油烟很严重，窗户都不敢开",
                "楼下餐馆油烟直排，味道很大",
            ],
            &[
                "工地晚上十一点还在施工，噪音很大",
                "夜里工地施工噪声扰民，睡不着",
                "晚上工地还在打桩，很吵",
            ],
            &[
                "小区楼道里有人给电瓶车充电，电线从窗户拉出来",
                "楼道电瓶车飞线充电，太危险了",
            ],
            &[
                "路边有人占道经营卖水果",
                "人行道上有流动摊贩占道卖菜",
                "马路边摆摊占道经营",
            ],
            &["有人在绿地里私搭违建棚子", "小区绿化带里搭了违章建筑"],
        ];
        let points = [(121.4000, 31.2100), (121.4200, 31.2050), (121.3900, 31.2200)];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as usize
        };
        (0..n)
            .map(|i| {
                let fam = families[next(families.len())];
                let text = fam[next(fam.len())];
                let minute = i * 3 * 1440 / n;
                let at = format!(
                    "2026-02-{:02} {:02}:{:02}",
                    26 + minute / 1440,
                    minute / 60 % 24,
                    minute % 60
                );
                if next(3) == 0 {
                    // A point (WGS84) jittered by up to ~100 m, with an address of its own.
                    let (lng, lat) = points[next(points.len())];
                    let (dx, dy) = (next(200) as f64 - 100.0, next(200) as f64 - 100.0);
                    format!(
                        "GDR{i:04},{at},投诉,{text},长宁区某处{i}号,{},{},WGS84",
                        lng + dx / 95_000.0,
                        lat + dy / 111_000.0
                    )
                } else {
                    let road = ["仙霞路", "天山路"][next(2)];
                    format!("GDR{i:04},{at},投诉,{text},长宁区{road}{}号,,,", 10 + next(4))
                }
            })
            .collect()
    }

    both_backends!(
        an_import_links_repeats_as_registering_the_rows_one_by_one_would,
        |s: &Scratch| {
            // The import looks for repeats on a reader beside its writer, with its own earlier
            // rows from memory; registering each row on its own (a file of one row, committed
            // before the next) must give the same primaries, links and counts.
            const HEADER: &str = "工单编号,受理时间,诉求类型,诉求内容,事发地址,经度,纬度,坐标系\n";
            let rows = repeat_heavy_rows(300);
            let (before, during) = rows.split_at(60);
            let other = Scratch::on(s.backend(), "app").unwrap();
            // A look back of 36 hours over rows spanning three days: the import drops the rows
            // its later rows can no longer reach, and must still link as one-by-one does.
            let cfg = jingzhi_domain::dedup::DedupConfig {
                window_hours: 36.0,
                ..Default::default()
            };
            common::set_dedup_config(s, &cfg);
            common::set_dedup_config(&other, &cfg);
            let (bulk, single) = (demo_world(s), demo_world(&other));
            let d_bulk = bulk.actor(Role::Dispatcher);
            let d_single = single.actor(Role::Dispatcher);
            // In bulk: clues committed before, then a file listed newest first.
            let file = |rows: &mut dyn Iterator<Item = &String>| {
                let mut f = HEADER.to_string();
                for r in rows {
                    f.push_str(r);
                    f.push('\n');
                }
                rows_of_file(f.as_bytes()).unwrap()
            };
            bulk.app
                .import_12345(&d_bulk, &file(&mut before.iter()), false)
                .unwrap();
            let r = bulk
                .app
                .import_12345(&d_bulk, &file(&mut during.iter().rev()), false)
                .unwrap();
            assert_eq!(r.new, 240);
            for row in &rows {
                single
                    .app
                    .import_12345(&d_single, &file(&mut std::iter::once(row)), false)
                    .unwrap();
            }
            let outcome = |w: &World, d: &Actor| {
                let all = w
                    .app
                    .list_clues(
                        d,
                        &ListRequest {
                            limit: 1000,
                            ..Default::default()
                        },
                    )
                    .unwrap()
                    .rows;
                let by_id: std::collections::HashMap<i64, String> =
                    all.iter().map(|k| (k.id, k.source_ref.clone().unwrap())).collect();
                let mut out: Vec<(String, String, Option<String>, i64)> = all
                    .iter()
                    .map(|k| {
                        (
                            k.source_ref.clone().unwrap(),
                            k.no.clone(),
                            k.duplicate_of.map(|p| by_id[&p].clone()),
                            k.repeat_count,
                        )
                    })
                    .collect();
                out.sort();
                out
            };
            let (a, b) = (outcome(&bulk, &d_bulk), outcome(&single, &d_single));
            assert_eq!(a.len(), 300);
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x, y, "the import and one-by-one registration differ");
            }
            // Both ways of being at one place are exercised, across the two files and inside
            // the second.
            let links: Vec<(usize, usize)> = a
                .iter()
                .filter_map(|(r, _, p, _)| Some((r[3..].parse().ok()?, p.as_ref()?[3..].parse().ok()?)))
                .collect();
            let by_point = |i: usize| rows[i].ends_with("WGS84");
            assert!(links.len() > 100, "{} links", links.len());
            assert!(
                links
                    .iter()
                    .any(|&(r, p)| by_point(r) && by_point(p) && r >= 60 && p >= 60)
            );
            assert!(
                links
                    .iter()
                    .any(|&(r, p)| !by_point(r) && !by_point(p) && r >= 60 && p >= 60)
            );
            assert!(links.iter().any(|&(r, p)| r >= 60 && p < 60));
        }
    );

    both_backends!(generated_clues_span_two_years_without_clashes, |s: &Scratch| {
        let w = demo_world(s);
        let mut seen = Vec::new();
        w.app.generate_clues(1500, 400, 7, &mut |n| seen.push(n)).unwrap();
        assert_eq!(seen, vec![400, 800, 1200, 1500]);
        let d = w.actor(Role::Admin);
        let list = w
            .app
            .list_clues(
                &d,
                &ListRequest {
                    limit: 2000,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!((list.total, list.rows.len()), (1500, 1500));
        let years: std::collections::BTreeSet<&str> = list.rows.iter().map(|k| &k.no[2..6]).collect();
        assert!(years.len() == 2, "received over the year before now: {years:?}");
    });

    both_backends!(xlsx_files_import_and_replies_export_in_the_same_shape, |s: &Scratch| {
        let w = demo_world(s);
        let d = w.actor(Role::Dispatcher);
        let rows: Vec<Vec<jingzhi_office::Cell>> = GOOD
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(jingzhi_office::Cell::from).collect())
            .collect();
        let xlsx = jingzhi_office::write_xlsx(&[jingzhi_office::Sheet {
            name: "工单".into(),
            title: String::new(),
            headers: GOOD.lines().next().unwrap().split(',').map(String::from).collect(),
            rows,
            red_rows: vec![],
        }])
        .unwrap();
        let parsed = rows_of_file(&xlsx).unwrap();
        assert_eq!(w.app.import_12345(&d, &parsed, false).unwrap().new, 3);
        let k = w
            .app
            .list_clues(
                &d,
                &ListRequest {
                    q: "油烟".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .rows
            .remove(0);
        w.app.clue_step(&d, k.id, ClueAction::Accept, &Step::default()).ok();
        let out = w
            .app
            .export_12345(&d, common::t("2026-02-28T00:00:00Z"), common::t("2026-03-03T00:00:00Z"))
            .unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].len(), EXPORT_HEADERS.len());
        assert_eq!(out[0][0], "GD2026030201");
        assert!(out[0][5].starts_with("XS2026"));
    });
}

both_backends!(simultaneous_reports_of_one_problem_make_one_primary, |s: &Scratch| {
    // Registering reads the place and its candidates before it writes; the write then looks
    // at the clues stored since. Eight reports of one problem at once: one primary, the
    // others linked to it.
    let w = demo_world(s);
    let d = w.actor(Role::Dispatcher);
    let cp = w.app.list_compounds(&d).unwrap().remove(0);
    let texts = [
        "小区楼道里有人给电瓶车充电，电线从窗户拉出来，很危险",
        "楼道电瓶车飞线充电，电线从窗户拉下来，太危险了",
        "有人在楼道给电瓶车充电，飞线从窗户拉出来",
        "楼道里电瓶车充电，电线从楼上窗户拉下来，很危险",
        "小区楼道电瓶车飞线充电，从窗户拉电线，很危险",
        "楼道里给电瓶车充电，电线从窗户拉出来，请处理",
        "电瓶车在楼道里充电，电线从窗户拉出来很危险",
        "楼道飞线给电瓶车充电，电线从窗户拉出来，危险",
    ];
    let results: Vec<_> = std::thread::scope(|sc| {
        let handles: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let (w, d, cp) = (&w, &d, &cp);
                sc.spawn(move || {
                    let mut n = hotline(w, t, &cp.address, &format!("GD-SIM-{i}"));
                    n.compound_id = Some(cp.id);
                    n.matter_code = Some("ebike_charging".into());
                    w.app.register_clue(d, &n).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let primaries: Vec<i64> = results
        .iter()
        .filter(|r| r.repeat_of.is_none())
        .map(|r| r.clue.id)
        .collect();
    assert_eq!(primaries.len(), 1, "{results:#?}");
    for r in &results {
        if let Some((p, _)) = &r.repeat_of {
            assert_eq!(*p, primaries[0]);
            assert_eq!(r.clue.status, ClueStatus::Linked);
        }
    }
    let all = w.app.list_clues(&d, &ListRequest::default()).unwrap().rows;
    let primary = all.iter().find(|k| k.id == primaries[0]).unwrap();
    assert_eq!(primary.repeat_count, 7);
});
