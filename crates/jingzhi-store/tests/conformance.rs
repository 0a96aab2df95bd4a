//! The store conformance suite: every store operation, the same cases on SQLite and PostgreSQL.
//! PostgreSQL comes from TEST_DATABASE_URL (default: the local server); see jingzhi-testkit.

use jiff::Timestamp;
use jingzhi_domain::audit::ChainVerifier;
use jingzhi_domain::org::{DepartmentKind, OrgKind, Street, StreetCode, StreetKind};
use jingzhi_domain::role::Role;
use jingzhi_store::repo::{api_keys, audit, jobs, login, places, sessions, settings, users};
use jingzhi_store::{Backend, Conn, StoreError, dialect, migrate, params};
use jingzhi_testkit::{Scratch, both_backends};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn street(c: &mut dyn Conn, code: &str, name: &str) -> StreetCode {
    let code = StreetCode::parse(code).unwrap();
    places::upsert_street(
        c,
        &Street {
            code: code.clone(),
            name: name.into(),
            kind: StreetKind::Subdistrict,
            district_code: "310105".into(),
        },
    )
    .unwrap();
    code
}

fn org(c: &mut dyn Conn, kind: OrgKind, code: &str, street: Option<&StreetCode>, parent: Option<i64>) -> i64 {
    places::insert_org(
        c,
        &places::OrgFields {
            parent_id: parent,
            kind,
            code: code.into(),
            name: format!("单位{code}"),
            street_code: street.cloned(),
            department_kind: (kind == OrgKind::Department).then_some(DepartmentKind::Housing),
            phone: None,
            address: None,
        },
        t("2026-01-05T01:00:00Z"),
    )
    .unwrap()
}

fn user(c: &mut dyn Conn, name: &str, org_id: i64, roles: &[Role]) -> i64 {
    users::insert(
        c,
        &users::NewUser {
            username: name.into(),
            display_name: format!("用户{name}"),
            org_id,
            phone: Some("13800000000".into()),
            certificate_no: None,
            roles: roles.to_vec(),
            password_hash: "$argon2id$fake".into(),
            must_change_password: true,
        },
        t("2026-01-05T01:00:00Z"),
    )
    .unwrap()
}

both_backends!(migrations_are_idempotent_and_recorded, |s: &Scratch| {
    assert!(s.store.migrate().unwrap().is_empty(), "second run applies nothing");
    let applied = migrate::applied_versions(&s.store).unwrap();
    let expected: Vec<i64> = migrate::for_backend(s.backend()).iter().map(|m| m.version).collect();
    assert_eq!(applied, expected);
});

both_backends!(streets_upsert_and_list, |s: &Scratch| {
    s.store
        .write(|c| {
            street(c, "310105002", "江苏路街道");
            street(c, "310105001", "华阳路街道");
            street(c, "310105001", "华阳路街道（改）");
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let list = s.store.read(places::list_streets).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].code.as_str(), "310105001");
    assert_eq!(list[0].name, "华阳路街道（改）");
    let one = s.store.read(|c| places::get_street(c, "310105002")).unwrap();
    assert_eq!(one.name, "江苏路街道");
    assert_eq!(
        s.store.read(|c| places::get_street(c, "310105999")).unwrap_err(),
        StoreError::NotFound
    );
});

both_backends!(org_units_insert_update_find_list, |s: &Scratch| {
    let (bureau, team) = s
        .store
        .write(|c| {
            let code = street(c, "310105001", "华阳路街道");
            let bureau = org(c, OrgKind::DistrictBureau, "bureau", None, None);
            let team = org(c, OrgKind::StreetTeam, "310105001-team", Some(&code), Some(bureau));
            Ok::<_, StoreError>((bureau, team))
        })
        .unwrap();
    let got = s.store.read(|c| places::get_org(c, team)).unwrap();
    assert_eq!(got.kind, OrgKind::StreetTeam);
    assert_eq!(got.parent_id, Some(bureau));
    assert_eq!(got.street_code.as_ref().map(|c| c.as_str()), Some("310105001"));
    assert!(got.active);

    s.store
        .write(|c| {
            let mut f = places::OrgFields {
                parent_id: Some(bureau),
                kind: OrgKind::StreetTeam,
                code: "310105001-team".into(),
                name: "华阳路街道综合行政执法队".into(),
                street_code: got.street_code.clone(),
                department_kind: None,
                phone: Some("021-00000000".into()),
                address: None,
            };
            places::update_org(c, team, &f, false, t("2026-01-06T01:00:00Z"))?;
            f.code = "bureau".into();
            // unique code
            assert!(matches!(
                places::update_org(c, team, &f, false, t("2026-01-06T01:00:00Z")),
                Err(StoreError::Conflict(_))
            ));
            Ok::<_, StoreError>(())
        })
        .unwrap_err();
    // A failed statement fails the whole transaction on both backends, even when the caller
    // swallowed the error: nothing was kept.
    let after = s.store.read(|c| places::get_org(c, team)).unwrap();
    assert_eq!(after.name, got.name);

    s.store
        .write(|c| {
            let f = places::OrgFields {
                parent_id: Some(bureau),
                kind: OrgKind::StreetTeam,
                code: "310105001-team".into(),
                name: "华阳路街道综合行政执法队".into(),
                street_code: got.street_code.clone(),
                department_kind: None,
                phone: Some("021-00000000".into()),
                address: Some("长宁区某路1号".into()),
            };
            places::update_org(c, team, &f, false, t("2026-01-06T01:00:00Z"))
        })
        .unwrap();
    let after = s.store.read(|c| places::get_org(c, team)).unwrap();
    assert_eq!(after.name, "华阳路街道综合行政执法队");
    assert!(!after.active);
    assert_eq!(after.phone.as_deref(), Some("021-00000000"));

    let found = s
        .store
        .read(|c| places::find_org_by_code(c, "bureau"))
        .unwrap()
        .unwrap();
    assert_eq!(found.id, bureau);
    assert!(s.store.read(|c| places::find_org_by_code(c, "nope")).unwrap().is_none());
    assert_eq!(s.store.read(places::list_orgs).unwrap().len(), 2);
    assert_eq!(
        s.store.read(|c| places::get_org(c, 9999)).unwrap_err(),
        StoreError::NotFound
    );
});

both_backends!(org_unit_parent_must_exist, |s: &Scratch| {
    let err = s
        .store
        .write(|c| {
            places::insert_org(
                c,
                &places::OrgFields {
                    parent_id: Some(777),
                    kind: OrgKind::Department,
                    code: "x".into(),
                    name: "x".into(),
                    street_code: None,
                    department_kind: None,
                    phone: None,
                    address: None,
                },
                t("2026-01-05T01:00:00Z"),
            )
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::ForeignKey(_)), "{err:?}");
});

both_backends!(compounds_insert_update_list_by_street_and_company, |s: &Scratch| {
    let (pc, id) = s
        .store
        .write(|c| {
            let code = street(c, "310105001", "华阳路街道");
            let code2 = street(c, "310105002", "江苏路街道");
            let pc = org(c, OrgKind::PropertyCompany, "pc-1", None, None);
            let pc2 = org(c, OrgKind::PropertyCompany, "pc-2", None, None);
            let mk = |code: &str, s: &StreetCode, pc: i64| places::CompoundFields {
                code: code.into(),
                name: format!("{code}小区"),
                address: "长宁区某路".into(),
                street_code: s.clone(),
                community_id: None,
                property_company_id: Some(pc),
                lng: Some(121.42),
                lat: Some(31.22),
                households: Some(300),
            };
            let id = places::insert_compound(c, &mk("c1", &code, pc), t("2026-01-05T01:00:00Z"))?;
            places::insert_compound(c, &mk("c2", &code2, pc), t("2026-01-05T01:00:00Z"))?;
            places::insert_compound(c, &mk("c3", &code, pc2), t("2026-01-05T01:00:00Z"))?;
            let mut f = mk("c1", &code, pc);
            f.name = "华阳一村".into();
            f.lng = None;
            places::update_compound(c, id, &f, true, t("2026-01-06T01:00:00Z"))?;
            Ok::<_, StoreError>((pc, id))
        })
        .unwrap();
    let c1 = s.store.read(|c| places::get_compound(c, id)).unwrap();
    assert_eq!(c1.name, "华阳一村");
    assert_eq!(c1.lng, None);
    assert_eq!(c1.lat, Some(31.22));
    assert_eq!(c1.households, Some(300));
    assert_eq!(
        s.store.read(|c| places::list_compounds(c, None, None)).unwrap().len(),
        3
    );
    assert_eq!(
        s.store
            .read(|c| places::list_compounds(c, Some("310105001"), None))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.store
            .read(|c| places::list_compounds(c, None, Some(pc)))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.store
            .read(|c| places::list_compounds(c, Some("310105002"), Some(pc)))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.store
            .read(|c| places::find_compound_by_code(c, "c3"))
            .unwrap()
            .unwrap()
            .code,
        "c3"
    );
});

both_backends!(users_roles_passwords_lockout, |s: &Scratch| {
    let (org_id, id) = s
        .store
        .write(|c| {
            let o = org(c, OrgKind::DistrictBureau, "bureau", None, None);
            let id = user(c, "zhang", o, &[Role::Officer, Role::Dispatcher]);
            Ok::<_, StoreError>((o, id))
        })
        .unwrap();
    let u = s.store.read(|c| users::get(c, id)).unwrap();
    assert_eq!(u.username, "zhang");
    assert_eq!(u.roles, vec![Role::Dispatcher, Role::Officer]);
    assert!(u.must_change_password && u.active);
    assert_eq!(u.created_at, t("2026-01-05T01:00:00Z"));

    let dup = s.store.write(|c| {
        users::insert(
            c,
            &users::NewUser {
                username: "zhang".into(),
                display_name: "x".into(),
                org_id,
                phone: None,
                certificate_no: None,
                roles: vec![],
                password_hash: "h".into(),
                must_change_password: false,
            },
            t("2026-01-05T01:00:00Z"),
        )
    });
    assert!(matches!(dup, Err(StoreError::Conflict(_))));

    s.store
        .write(|c| {
            users::update_profile(
                c,
                id,
                &users::UserProfile {
                    display_name: "张三".into(),
                    org_id,
                    phone: None,
                    certificate_no: Some("3101052026001".into()),
                    roles: vec![Role::TeamLeader],
                },
                t("2026-01-07T01:00:00Z"),
            )?;
            users::set_password(c, id, "$argon2id$new", false, t("2026-01-07T02:00:00Z"))?;
            users::record_failure(c, id, 5, Some(t("2026-01-07T03:00:00Z")))?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let u = s.store.read(|c| users::find_by_username(c, "zhang")).unwrap().unwrap();
    assert_eq!(u.display_name, "张三");
    assert_eq!(u.roles, vec![Role::TeamLeader]);
    assert_eq!(u.certificate_no.as_deref(), Some("3101052026001"));
    assert!(!u.must_change_password);
    assert_eq!(u.failed_logins, 5);
    assert_eq!(u.locked_until, Some(t("2026-01-07T03:00:00Z")));
    assert_eq!(s.store.read(|c| users::password_hash(c, id)).unwrap(), "$argon2id$new");

    s.store
        .write(|c| {
            users::record_success(c, id, t("2026-01-08T01:00:00Z"))?;
            users::set_active(c, id, false, t("2026-01-08T02:00:00Z"))
        })
        .unwrap();
    let u = s.store.read(|c| users::get(c, id)).unwrap();
    assert_eq!((u.failed_logins, u.locked_until, u.active), (0, None, false));
    assert_eq!(u.last_login_at, Some(t("2026-01-08T01:00:00Z")));
    assert!(s.store.read(|c| users::find_by_username(c, "li")).unwrap().is_none());
    assert_eq!(s.store.read(users::count).unwrap(), 1);
});

both_backends!(user_list_filters_by_org, |s: &Scratch| {
    let (a, b) = s
        .store
        .write(|c| {
            let a = org(c, OrgKind::DistrictBureau, "a", None, None);
            let b = org(c, OrgKind::Department, "b", None, None);
            user(c, "u1", a, &[Role::Admin]);
            user(c, "u2", b, &[Role::DepartmentLiaison]);
            user(c, "u3", b, &[Role::DepartmentLiaison, Role::Inspector]);
            Ok::<_, StoreError>((a, b))
        })
        .unwrap();
    assert_eq!(s.store.read(|c| users::list(c, None)).unwrap().len(), 3);
    let only_b = s.store.read(|c| users::list(c, Some(&[b]))).unwrap();
    assert_eq!(
        only_b.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
        vec!["u2", "u3"]
    );
    assert_eq!(
        only_b[1].roles,
        vec![Role::Inspector, Role::DepartmentLiaison],
        "declaration order"
    );
    assert_eq!(s.store.read(|c| users::list(c, Some(&[a]))).unwrap().len(), 1);
});

both_backends!(sessions_live_touch_expire_delete, |s: &Scratch| {
    let uid = s
        .store
        .write(|c| {
            let o = org(c, OrgKind::DistrictBureau, "bureau", None, None);
            Ok::<_, StoreError>(user(c, "zhang", o, &[Role::Admin]))
        })
        .unwrap();
    let row = sessions::SessionRow {
        token_hash: "h1".into(),
        user_id: uid,
        csrf_token: "csrf".into(),
        created_at: t("2026-01-05T01:00:00Z"),
        last_seen_at: t("2026-01-05T01:00:00Z"),
        expires_at: t("2026-01-05T09:00:00Z"),
    };
    s.store
        .write(|c| {
            sessions::insert(c, &row, Some("127.0.0.1"), Some("test"))?;
            sessions::insert(
                c,
                &sessions::SessionRow {
                    token_hash: "h2".into(),
                    ..row.clone()
                },
                None,
                None,
            )
        })
        .unwrap();
    let got = s
        .store
        .read(|c| sessions::get_live(c, "h1", t("2026-01-05T02:00:00Z")))
        .unwrap();
    assert_eq!(got, Some(row.clone()));
    assert!(
        s.store
            .read(|c| sessions::get_live(c, "h1", t("2026-01-05T09:00:00Z")))
            .unwrap()
            .is_none()
    );
    s.store
        .write(|c| sessions::touch(c, "h1", t("2026-01-05T08:00:00Z"), t("2026-01-05T16:00:00Z")))
        .unwrap();
    let got = s
        .store
        .read(|c| sessions::get_live(c, "h1", t("2026-01-05T10:00:00Z")))
        .unwrap()
        .unwrap();
    assert_eq!(got.last_seen_at, t("2026-01-05T08:00:00Z"));
    assert_eq!(s.store.read(|c| sessions::count_for_user(c, uid)).unwrap(), 2);
    assert_eq!(
        s.store
            .write(|c| sessions::delete_expired(c, t("2026-01-05T10:00:00Z")))
            .unwrap(),
        1
    );
    assert_eq!(s.store.write(|c| sessions::delete(c, "h1")).unwrap(), 1);
    assert_eq!(s.store.write(|c| sessions::delete_for_user(c, uid)).unwrap(), 0);
});

both_backends!(api_keys_insert_find_disable_mark_used, |s: &Scratch| {
    let (o, uid) = s
        .store
        .write(|c| {
            let o = org(c, OrgKind::DispatchCenter, "desk", None, None);
            Ok::<_, StoreError>((o, user(c, "admin", o, &[Role::Admin])))
        })
        .unwrap();
    let id = s
        .store
        .write(|c| {
            api_keys::insert(
                c,
                "jzk_abcd1234",
                "hash",
                "12345平台",
                o,
                &[Role::Dispatcher],
                Some(uid),
                None,
                t("2026-01-05T01:00:00Z"),
            )
        })
        .unwrap();
    let k = s
        .store
        .read(|c| api_keys::find_by_prefix(c, "jzk_abcd1234"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (k.id, k.org_id, k.roles.clone(), k.active),
        (id, o, vec![Role::Dispatcher], true)
    );
    s.store
        .write(|c| api_keys::mark_used(c, id, t("2026-01-05T02:00:00Z"), t("2026-01-05T01:59:00Z")))
        .unwrap();
    s.store
        .write(|c| api_keys::mark_used(c, id, t("2026-01-05T02:00:30Z"), t("2026-01-05T01:59:30Z")))
        .unwrap();
    let k = s.store.read(|c| api_keys::get(c, id)).unwrap();
    assert_eq!(
        k.last_used_at,
        Some(t("2026-01-05T02:00:00Z")),
        "second mark within a minute is skipped"
    );
    s.store.write(|c| api_keys::set_active(c, id, false)).unwrap();
    assert!(!s.store.read(|c| api_keys::get(c, id)).unwrap().active);
    assert_eq!(s.store.read(api_keys::list).unwrap().len(), 1);
    assert!(
        s.store
            .read(|c| api_keys::find_by_prefix(c, "jzk_none"))
            .unwrap()
            .is_none()
    );
});

both_backends!(login_attempts_count_and_prune, |s: &Scratch| {
    s.store
        .write(|c| {
            for i in 0..4 {
                login::record(c, "zhang", "10.0.0.1", t(&format!("2026-01-05T01:0{i}:00Z")), false)?;
            }
            login::record(c, "zhang", "10.0.0.1", t("2026-01-05T01:05:00Z"), true)?;
            login::record(c, "li", "10.0.0.2", t("2026-01-05T01:05:00Z"), false)
        })
        .unwrap();
    let n = s
        .store
        .read(|c| login::failures_from_ip_since(c, "10.0.0.1", t("2026-01-05T01:01:00Z")))
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        s.store.write(|c| login::prune(c, t("2026-01-05T01:02:00Z"))).unwrap(),
        2
    );
});

both_backends!(audit_chain_appends_link_and_verify, |s: &Scratch| {
    let append = |c: &mut dyn Conn, i: usize| {
        audit::append(
            c,
            audit::NewAudit {
                at: &format!("2026-01-05T01:00:{i:02}.000000Z"),
                actor_user_id: Some(1),
                actor_name: "admin",
                actor_org_id: Some(1),
                action: "user.create",
                entity: "user",
                entity_id: &i.to_string(),
                before: None,
                after: Some(format!("{{\"display_name\":\"用户{i}\"}}")),
            },
        )
    };
    // One record per transaction, then many in one transaction (the head is written at commit),
    // then a rolled-back transaction that must leave the head alone.
    for i in 0..5 {
        s.store.write(|c| append(c, i)).unwrap();
    }
    s.store
        .write(|c| {
            for i in 5..25 {
                append(c, i)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let r: Result<(), StoreError> = s.store.write(|c| {
        append(c, 99)?;
        append(c, 98)?;
        Err(StoreError::Other("rolled back".into()))
    });
    assert!(r.is_err());
    let (seq, hash) = s.store.read(audit::head).unwrap();
    assert_eq!(seq, 25);
    let mut v = ChainVerifier::default();
    let mut after = 0;
    loop {
        let batch = s.store.read(|c| audit::batch_after(c, after, 10)).unwrap();
        if batch.is_empty() {
            break;
        }
        for r in &batch {
            v.feed(r).unwrap();
        }
        after = batch.last().unwrap().seq;
    }
    assert_eq!(v.checked, 25);
    assert_eq!(v.head(), hash);
    let newest = s
        .store
        .read(|c| {
            audit::list(
                c,
                &audit::AuditFilter {
                    entity_id: Some("3".into()),
                    ..Default::default()
                },
                10,
            )
        })
        .unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].after.as_deref(), Some("{\"display_name\":\"用户3\"}"));
    let page = s
        .store
        .read(|c| {
            audit::list(
                c,
                &audit::AuditFilter {
                    before_seq: Some(10),
                    action_prefix: Some("user.".into()),
                    ..Default::default()
                },
                5,
            )
        })
        .unwrap();
    assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![9, 8, 7, 6, 5]);
    assert_eq!(s.store.read(audit::count).unwrap(), 25);
});

both_backends!(audit_log_refuses_updates_and_deletes, |s: &Scratch| {
    s.store
        .write(|c| {
            audit::append(
                c,
                audit::NewAudit {
                    at: "2026-01-05T01:00:00.000000Z",
                    actor_user_id: None,
                    actor_name: "system",
                    actor_org_id: None,
                    action: "x",
                    entity: "x",
                    entity_id: "1",
                    before: None,
                    after: None,
                },
            )
        })
        .unwrap();
    let upd = s.store.write(|c| c.execute("UPDATE audit_log SET action = 'y'", &[]));
    assert!(matches!(upd, Err(StoreError::Refused(_))), "{upd:?}");
    let del = s.store.write(|c| c.execute("DELETE FROM audit_log", &[]));
    assert!(matches!(del, Err(StoreError::Refused(_))), "{del:?}");
});

both_backends!(job_slots_are_claimed_once, |s: &Scratch| {
    let a = s
        .store
        .write(|c| {
            jobs::claim(
                c,
                "deadline_sweep",
                "2026-01-05T09:00",
                "node-a",
                t("2026-01-05T01:00:00Z"),
            )
        })
        .unwrap();
    let b = s
        .store
        .write(|c| {
            jobs::claim(
                c,
                "deadline_sweep",
                "2026-01-05T09:00",
                "node-b",
                t("2026-01-05T01:00:01Z"),
            )
        })
        .unwrap();
    assert!(a && !b);
    s.store
        .write(|c| {
            jobs::finish(
                c,
                "deadline_sweep",
                "2026-01-05T09:00",
                "ok 3",
                t("2026-01-05T01:00:05Z"),
            )
        })
        .unwrap();
    let runs = s.store.read(|c| jobs::recent(c, "deadline_sweep", 5)).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].node, "node-a");
    assert_eq!(runs[0].result.as_deref(), Some("ok 3"));
});

both_backends!(settings_get_set, |s: &Scratch| {
    assert_eq!(s.store.read(|c| settings::get(c, "k")).unwrap(), None);
    s.store
        .write(|c| settings::set(c, "k", "一", t("2026-01-05T01:00:00Z")))
        .unwrap();
    s.store
        .write(|c| settings::set(c, "k", "二", t("2026-01-05T01:00:00Z")))
        .unwrap();
    assert_eq!(s.store.read(|c| settings::get(c, "k")).unwrap().as_deref(), Some("二"));
});

both_backends!(values_round_trip_with_chinese_text_and_nulls, |s: &Scratch| {
    s.store
        .write(|c| settings::set(c, "长文本", &"城管执法".repeat(1000), t("2026-01-05T01:00:00Z")))
        .unwrap();
    let v = s.store.read(|c| settings::get(c, "长文本")).unwrap().unwrap();
    assert_eq!(v.chars().count(), 4000);
    let r = s
        .store
        .read(|c| c.query_one("SELECT $1, $2, $3", params![Option::<i64>::None, 42i64, "文"]))
        .unwrap();
    assert!(r.is_null(0));
    assert_eq!(r.i64(1), 42);
    assert_eq!(r.text(2), "文");
});

both_backends!(a_failed_write_rolls_back_everything, |s: &Scratch| {
    let r: Result<(), StoreError> = s.store.write(|c| {
        settings::set(c, "a", "1", t("2026-01-05T01:00:00Z"))?;
        Err(StoreError::Other("boom".into()))
    });
    assert!(r.is_err());
    assert_eq!(s.store.read(|c| settings::get(c, "a")).unwrap(), None);
});

both_backends!(concurrent_writes_commit_together_and_fail_alone, |s: &Scratch| {
    // Eight callers at once (on SQLite they share transactions: group commit). Every third write
    // fails after writing; its row must be gone, the others must all be there, the audit chain
    // and the counters must be whole.
    let ok = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|sc| {
        for th in 0..8 {
            let ok = &ok;
            sc.spawn(move || {
                for i in 0..30 {
                    let key = format!("k{th}-{i}");
                    let r: Result<(), StoreError> = s.store.write(|c| {
                        settings::set(c, &key, "v", t("2026-01-05T01:00:00Z"))?;
                        clue_repo::next_counter(c, "n", "x")?;
                        audit::append(
                            c,
                            audit::NewAudit {
                                at: "2026-01-05T01:00:00.000000Z",
                                actor_user_id: None,
                                actor_name: "t",
                                actor_org_id: None,
                                action: "setting.set",
                                entity: "setting",
                                entity_id: &key,
                                before: None,
                                after: None,
                            },
                        )?;
                        if i % 3 == 2 {
                            return Err(StoreError::Other("refused".into()));
                        }
                        Ok(())
                    });
                    assert_eq!(r.is_ok(), i % 3 != 2, "{key}: {r:?}");
                    if r.is_ok() {
                        ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let ok = ok.into_inner() as i64;
    assert_eq!(ok, 8 * 20);
    for th in 0..8 {
        for i in 0..30 {
            let got = s.store.read(|c| settings::get(c, &format!("k{th}-{i}"))).unwrap();
            assert_eq!(got.is_some(), i % 3 != 2, "k{th}-{i}");
        }
    }
    assert_eq!(s.store.write(|c| clue_repo::next_counter(c, "n", "x")).unwrap(), ok + 1);
    let (seq, hash) = s.store.read(audit::head).unwrap();
    assert_eq!(seq, ok);
    let mut v = ChainVerifier::default();
    for r in s.store.read(|c| audit::batch_after(c, 0, 1_000)).unwrap() {
        v.feed(&r).unwrap();
    }
    assert_eq!((v.checked as i64, v.head()), (ok, hash.as_str()));
});

both_backends!(a_panicking_write_is_undone_and_the_store_goes_on, |s: &Scratch| {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: Result<(), StoreError> = s.store.write(|c| {
            settings::set(c, "p", "1", t("2026-01-05T01:00:00Z"))?;
            panic!("a bug in a use case");
        });
    }));
    assert!(r.is_err());
    assert_eq!(s.store.read(|c| settings::get(c, "p")).unwrap(), None);
    s.store
        .write(|c| settings::set(c, "q", "1", t("2026-01-05T01:00:00Z")))
        .unwrap();
    assert_eq!(s.store.read(|c| settings::get(c, "q")).unwrap().as_deref(), Some("1"));
});

/// The scratch database opened again with other connection settings.
fn reopened(s: &Scratch, opts: jingzhi_store::StoreOptions) -> jingzhi_store::Store {
    jingzhi_store::Store::open_with(&s.url, &opts).unwrap()
}

/// PostgreSQL connections start with the parallel-worker setting (none by default), keeping the
/// URL's own options (here the test schema's search path).
#[test]
fn postgres_connections_take_the_parallel_worker_setting() {
    let Some(s) = Scratch::postgres("conformance::postgres_connections_take_the_parallel_worker_setting") else {
        return;
    };
    let setting = |store: &jingzhi_store::Store| {
        store
            .read(|c| {
                Ok::<_, StoreError>((
                    c.query("SHOW max_parallel_workers_per_gather", &[])?[0].text(0),
                    c.scalar_i64("SELECT COUNT(*) FROM schema_migrations", &[])?,
                ))
            })
            .unwrap()
    };
    let (workers, migrations) = setting(&s.store);
    assert_eq!(workers, "0");
    assert!(migrations > 5, "the URL's search path kept: {migrations}");
    let two = reopened(
        &s,
        jingzhi_store::StoreOptions {
            pg_parallel_workers: 2,
            ..Default::default()
        },
    );
    assert_eq!(setting(&two).0, "2");
}

/// A read on PostgreSQL runs its statements without a transaction around them (no `BEGIN` and
/// `COMMIT` round trips): each statement is a transaction of its own, so two statements 10 ms
/// apart see two transaction start times. A write inside a read panics (debug builds).
#[test]
fn postgres_reads_run_without_a_transaction() {
    let Some(s) = Scratch::postgres("conformance::postgres_reads_run_without_a_transaction") else {
        return;
    };
    let one_transaction = |c: &mut dyn jingzhi_store::Conn| -> Result<bool, StoreError> {
        let first = c.query_one("SELECT now()::text", &[])?.text(0);
        c.query("SELECT pg_sleep(0.01)", &[])?;
        Ok(c.query_one("SELECT now()::text", &[])?.text(0) == first)
    };
    assert!(!s.store.read(one_transaction).unwrap());
    // In a write they share one transaction.
    assert!(s.store.write(one_transaction).unwrap());
    let write_in_read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.store
            .read(|c| c.execute("UPDATE audit_head SET seq = seq WHERE id = 1", &[]))
    }));
    assert!(write_in_read.is_err(), "a write inside a read is refused");
    // The pool counted the connection lost in the panic as gone: with a pool of two, both
    // connections can still be had at once.
    let two = reopened(
        &s,
        jingzhi_store::StoreOptions {
            pg_pool_size: 2,
            ..Default::default()
        },
    );
    for _ in 0..3 {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            two.read(|c| c.execute("UPDATE audit_head SET seq = seq WHERE id = 1", &[]))
        }));
    }
    let both = two.read(|c| {
        let outer = c.scalar_i64("SELECT 1", &[])?;
        let inner = two.read(|c2| c2.scalar_i64("SELECT 2", &[]))?;
        Ok::<_, StoreError>(outer + inner)
    });
    assert_eq!(both.unwrap(), 3);
}

/// SQLite's readers go to the callers waiting for one in the order they came: one that gives a
/// reader back and asks again at once queues behind those already waiting.
#[test]
fn sqlite_readers_are_handed_out_first_come_first_served() {
    let s = Scratch::sqlite();
    let store = reopened(
        &s,
        jingzhi_store::StoreOptions {
            sqlite_readers: 1,
            ..Default::default()
        },
    );
    let order = std::sync::Mutex::new(Vec::new());
    let wait = std::time::Duration::from_millis(200);
    std::thread::scope(|sc| {
        // The one reader, held while three callers queue up one after another.
        let holder = sc.spawn(|| {
            store
                .read(|c| {
                    std::thread::sleep(wait * 4);
                    c.query_one("SELECT 1", &[])
                })
                .unwrap();
            // Given back and asked for again at once: after the three waiting.
            store
                .read(|_| {
                    order.lock().unwrap().push(0);
                    Ok::<_, StoreError>(())
                })
                .unwrap();
        });
        std::thread::sleep(wait);
        let mut waiting = Vec::new();
        for i in 1..=3 {
            let (store, order) = (&store, &order);
            waiting.push(sc.spawn(move || {
                store
                    .read(|_| {
                        order.lock().unwrap().push(i);
                        Ok::<_, StoreError>(())
                    })
                    .unwrap();
            }));
            std::thread::sleep(wait / 2);
        }
        holder.join().unwrap();
        waiting.into_iter().for_each(|h| h.join().unwrap());
    });
    assert_eq!(*order.lock().unwrap(), vec![1, 2, 3, 0]);
}

/// SQLite runs writes on its writer thread: a write started from inside a write would wait for
/// itself there; it is refused with a panic in the caller instead, and the store goes on.
#[test]
fn sqlite_write_inside_a_write_is_refused_not_a_deadlock() {
    let s = Scratch::sqlite();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: Result<(), StoreError> = s.store.write(|c| {
            settings::set(c, "outer", "1", t("2026-01-05T01:00:00Z"))?;
            s.store
                .write(|c| settings::set(c, "inner", "1", t("2026-01-05T01:00:00Z")))
        });
    }));
    let msg = r
        .err()
        .and_then(|p| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("inside another write"), "{msg}");
    assert_eq!(s.store.read(|c| settings::get(c, "outer")).unwrap(), None, "undone");
    s.store
        .write(|c| settings::set(c, "after", "1", t("2026-01-05T01:00:00Z")))
        .unwrap();
    assert_eq!(
        s.store.read(|c| settings::get(c, "after")).unwrap().as_deref(),
        Some("1")
    );
}

both_backends!(reads_see_committed_writes_only, |s: &Scratch| {
    s.store
        .write(|c| settings::set(c, "x", "1", t("2026-01-05T01:00:00Z")))
        .unwrap();
    assert_eq!(s.store.read(|c| settings::get(c, "x")).unwrap().as_deref(), Some("1"));
    assert!(s.store.ping().is_ok());
});

/// Migration parity: both trees have the same version list, and after migrating both backends
/// expose the same tables and columns with corresponding types.
#[test]
fn migration_trees_have_the_same_versions() {
    let v = |l: &[migrate::Migration]| l.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
    assert_eq!(v(migrate::SQLITE), v(migrate::POSTGRES));
}

#[test]
fn migrated_schemas_match_across_backends() {
    let sqlite = Scratch::sqlite();
    let Some(pg) = Scratch::postgres("conformance::migrated_schemas_match_across_backends") else {
        return;
    };
    let norm = |ty: &str| -> String {
        match ty {
            "integer" | "bigint" => "int".into(),
            "double precision" | "real" => "float".into(),
            "boolean" => "bool".into(),
            "blob" | "bytea" => "bytes".into(),
            "text" => "text".into(),
            other => other.into(),
        }
    };
    let cols = |s: &Scratch| -> Vec<(String, String, String)> {
        let mut v = s.store.read(dialect::table_columns).unwrap();
        v.iter_mut().for_each(|c| c.2 = norm(&c.2));
        v.sort();
        v
    };
    let a = cols(&sqlite);
    let b = cols(&pg);
    assert!(a.len() > 40, "expected the foundation tables, got {}", a.len());
    for (x, y) in a.iter().zip(b.iter()) {
        assert_eq!(x, y, "column mismatch");
    }
    assert_eq!(a.len(), b.len());
}

/// The bundled SQLite is built with the options of `.cargo/config.toml` (no memory statistics:
/// one process-wide mutex less on every allocation). Lost if the build stops reading that file.
#[test]
fn sqlite_is_built_without_memory_statistics() {
    let s = Scratch::sqlite();
    let opts: Vec<String> = s
        .store
        .read(|c| c.query("PRAGMA compile_options", &[]))
        .unwrap()
        .iter()
        .map(|r| r.text(0))
        .collect();
    for want in ["DEFAULT_MEMSTATUS=0", "OMIT_SHARED_CACHE", "USE_ALLOCA", "ENABLE_FTS5"] {
        assert!(opts.iter().any(|o| o == want), "{want} missing from {opts:?}");
    }
}

#[test]
fn sqlite_backup_copies_a_consistent_database() {
    let s = Scratch::sqlite();
    s.store
        .write(|c| settings::set(c, "k", "v", t("2026-01-05T01:00:00Z")))
        .unwrap();
    let dest = s.dir().unwrap().join("backup.db");
    let mut calls = 0;
    s.store
        .backup_sqlite(&dest, &mut |done, total| {
            calls += 1;
            assert!(done <= total);
        })
        .unwrap();
    assert!(calls >= 1);
    let copy = jingzhi_store::Store::open(&format!("sqlite://{}", dest.display())).unwrap();
    assert!(
        copy.migrate().unwrap().is_empty(),
        "the copy carries the schema history"
    );
    assert_eq!(copy.read(|c| settings::get(c, "k")).unwrap().as_deref(), Some("v"));
    assert_eq!(copy.backend(), Backend::Sqlite);
}

/// Under steady writing the write-ahead log is copied back and started again: it does not grow
/// past twice its size limit, although six times that goes through it.
#[test]
fn sqlite_log_does_not_grow_under_steady_writing() {
    let s = Scratch::sqlite();
    // A 16 MB limit (`sqlite_wal_limit_mb`), so that 100 MB of writes cross it several times.
    let store = reopened(
        &s,
        jingzhi_store::StoreOptions {
            sqlite_wal_limit_mb: 16,
            ..Default::default()
        },
    );
    let wal = s.dir().unwrap().join("test.db-wal");
    let note = "x".repeat(50_000);
    let mut largest = 0;
    for i in 0..2_000 {
        store
            .write(|c| {
                c.execute(
                    "INSERT INTO bench_probe (at, note) VALUES ($1, $2)",
                    params![i.to_string(), note.clone()],
                )
            })
            .unwrap();
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    assert!(largest > 4 * 1024 * 1024, "the log was used ({largest} bytes)");
    // Twice the limit, where the writer waits for a checkpoint that starts the log again, and a
    // batch's worth beyond.
    assert!(largest < 36 * 1024 * 1024, "the log grew to {largest} bytes");
}

// `insert_id` gives the new row's id (SQLite takes it from the connection instead of running
// the RETURNING clause), in a transaction with other inserts and after a failed one.
both_backends!(insert_id_is_the_new_rows_id, |s: &Scratch| {
    use jingzhi_store::repo::bench;
    let at = t("2026-11-27T01:00:00Z");
    let (a, b) = s
        .store
        .write(|c| Ok::<_, StoreError>((bench::insert_probe(c, at, "a")?, bench::insert_probe(c, at, "b")?)))
        .unwrap();
    assert_ne!(a, b);
    // A failed insert (NULL into a NOT NULL column) gives no id and leaves the last one alone.
    let failed = s.store.write(|c| {
        c.insert_id(
            "INSERT INTO bench_probe (at, note) VALUES (NULL, $1) RETURNING id",
            params!["x"],
        )
    });
    assert!(failed.is_err());
    let c_id = s.store.write(|c| bench::insert_probe(c, at, "c")).unwrap();
    let note = |id: i64| {
        s.store
            .read(|c| c.query_one("SELECT note FROM bench_probe WHERE id = $1", params![id]))
            .unwrap()
            .text(0)
    };
    assert_eq!(
        (note(a), note(b), note(c_id)),
        ("a".to_string(), "b".to_string(), "c".to_string())
    );
});

#[test]
fn unsupported_urls_are_refused_with_the_password_hidden() {
    let e = jingzhi_store::Store::open("mysql://u:secret@h/db").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("mysql://u:***@h/db") && !msg.contains("secret"), "{msg}");
}

// ---------------------------------------------------------------- legal clocks

use jingzhi_store::repo::clocks;

fn d(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

both_backends!(calendar_years_replace_their_days, |s: &Scratch| {
    let y = |year: i64, src: &str| clocks::YearRow {
        year,
        source: src.into(),
        source_url: None,
        updated_at: t("2026-01-05T01:00:00Z"),
    };
    let day = |day: &str, kind: &str, name: &str| clocks::DayRow {
        day: d(day),
        year: day[..4].parse().unwrap(),
        kind: kind.into(),
        name: name.into(),
    };
    s.store
        .write(|c| {
            clocks::replace_year(
                c,
                &y(2026, "通知A"),
                &[
                    day("2026-10-01", "holiday", "国庆节"),
                    day("2026-10-10", "workday", "国庆节"),
                ],
            )?;
            clocks::replace_year(c, &y(2025, "通知B"), &[day("2025-01-01", "holiday", "元旦")])?;
            clocks::replace_year(c, &y(2026, "通知A（修订）"), &[day("2026-10-02", "holiday", "国庆节")])
        })
        .unwrap();
    let years = s.store.read(clocks::years).unwrap();
    assert_eq!(
        years.iter().map(|y| (y.year, y.source.as_str())).collect::<Vec<_>>(),
        vec![(2025, "通知B"), (2026, "通知A（修订）")]
    );
    let days = s.store.read(|c| clocks::days(c, Some(2026))).unwrap();
    assert_eq!(days.len(), 1, "replaced, not merged");
    assert_eq!(days[0].day, d("2026-10-02"));
    assert_eq!(s.store.read(|c| clocks::days(c, None)).unwrap().len(), 2);
});

both_backends!(clock_rules_upsert_in_position_order, |s: &Scratch| {
    s.store
        .write(|c| {
            clocks::upsert_rule(
                c,
                &clocks::RuleRow {
                    code: "b".into(),
                    position: 2,
                    definition: "B".into(),
                    updated_at: t("2026-01-05T01:00:00Z"),
                },
            )?;
            clocks::upsert_rule(
                c,
                &clocks::RuleRow {
                    code: "a".into(),
                    position: 1,
                    definition: "A".into(),
                    updated_at: t("2026-01-05T01:00:00Z"),
                },
            )?;
            clocks::upsert_rule(
                c,
                &clocks::RuleRow {
                    code: "b".into(),
                    position: 2,
                    definition: "B2".into(),
                    updated_at: t("2026-01-06T01:00:00Z"),
                },
            )
        })
        .unwrap();
    let r = s.store.read(clocks::rules).unwrap();
    assert_eq!(
        r.iter()
            .map(|x| (x.code.as_str(), x.definition.as_str()))
            .collect::<Vec<_>>(),
        vec![("a", "A"), ("b", "B2")]
    );
});

fn a_clock(subject_id: i64, state: &str, due: &str, street: Option<&str>) -> clocks::ClockRow {
    clocks::ClockRow {
        id: 0,
        subject_type: "case".into(),
        subject_id,
        rule_code: "case_decision_90d".into(),
        anchor_at: t("2026-03-02T02:00:00Z"),
        met_at: None,
        state: state.into(),
        due_at: t(due),
        provisional: false,
        street_code: street.map(str::to_string),
    }
}

both_backends!(
    clocks_store_their_state_suspensions_extensions_and_alerts,
    |s: &Scratch| {
        let now = t("2026-03-02T03:00:00Z");
        let (k1, k2, k3) = s
            .store
            .write(|c| {
                let k1 = clocks::insert_clock(
                    c,
                    &a_clock(1, "running", "2026-05-31T15:59:59.999999Z", Some("310105001")),
                    now,
                )?;
                let k2 = clocks::insert_clock(
                    c,
                    &a_clock(2, "overdue", "2026-03-01T15:59:59.999999Z", Some("310105002")),
                    now,
                )?;
                let k3 = clocks::insert_clock(
                    c,
                    &a_clock(1, "due_soon", "2026-03-03T15:59:59.999999Z", Some("310105001")),
                    now,
                )?;
                Ok::<_, StoreError>((k1, k2, k3))
            })
            .unwrap();
        let got = s.store.read(|c| clocks::get_clock(c, k1)).unwrap();
        assert_eq!(
            (got.subject_id, got.state.as_str(), got.street_code.as_deref()),
            (1, "running", Some("310105001"))
        );
        assert_eq!(s.store.read(|c| clocks::clocks_of(c, "case", 1)).unwrap().len(), 2);
        s.store
            .write(|c| {
                clocks::insert_suspension(
                    c,
                    &clocks::SuspensionRow {
                        id: 0,
                        clock_id: k1,
                        start_at: t("2026-03-10T01:00:00Z"),
                        end_at: None,
                        reason: "听证".into(),
                        approver: "周华".into(),
                    },
                    now,
                )?;
                assert_eq!(clocks::end_suspension(c, k1, t("2026-03-22T01:00:00Z"))?, 1);
                assert_eq!(
                    clocks::end_suspension(c, k1, t("2026-03-23T01:00:00Z"))?,
                    0,
                    "nothing open any more"
                );
                clocks::insert_extension(
                    c,
                    &clocks::ExtensionRow {
                        id: 0,
                        clock_id: k1,
                        length: 30,
                        unit: None,
                        reason: "复杂".into(),
                        approver: "周华".into(),
                    },
                    now,
                )?;
                clocks::set_clock_status(c, k1, "running", t("2026-07-12T15:59:59.999999Z"), true, now)?;
                clocks::set_clock_met(c, k3, t("2026-03-02T04:00:00Z"), "met", now)
            })
            .unwrap();
        let susp = s.store.read(|c| clocks::suspensions_of(c, k1)).unwrap();
        assert_eq!(susp[0].end_at, Some(t("2026-03-22T01:00:00Z")));
        let ext = s.store.read(|c| clocks::extensions_of(c, k1)).unwrap();
        assert_eq!((ext[0].length, ext[0].unit.clone()), (30, None));
        let k = s.store.read(|c| clocks::get_clock(c, k1)).unwrap();
        assert_eq!((k.due_at, k.provisional), (t("2026-07-12T15:59:59.999999Z"), true));
        let open = s.store.read(|c| clocks::open_clocks(c, 0, 10)).unwrap();
        assert_eq!(
            open.iter().map(|k| k.id).collect::<Vec<_>>(),
            vec![k1, k2],
            "the met clock is closed"
        );
        assert_eq!(
            s.store.read(|c| clocks::open_clocks(c, k1, 10)).unwrap().len(),
            1,
            "paging by id"
        );
        let (ss, ee) = s.store.read(|c| clocks::shifts_between(c, 0, k2)).unwrap();
        assert_eq!((ss.len(), ee.len()), (1, 1));
        let (ss, _) = s.store.read(|c| clocks::shifts_between(c, k1, k2)).unwrap();
        assert!(ss.is_empty());
        let late = s
            .store
            .read(|c| clocks::clocks_in_states(c, &["overdue", "due_soon"], None, 10))
            .unwrap();
        assert_eq!(late.iter().map(|k| k.id).collect::<Vec<_>>(), vec![k2]);
        assert!(
            s.store
                .read(|c| clocks::clocks_in_states(c, &["overdue"], Some("310105001"), 10))
                .unwrap()
                .is_empty()
        );
        assert!(
            s.store
                .write(|c| clocks::raise_alert(c, k2, "overdue", t("2026-03-01T15:59:59.999999Z"), now))
                .unwrap()
        );
        assert!(
            !s.store
                .write(|c| clocks::raise_alert(c, k2, "overdue", t("2026-03-01T15:59:59.999999Z"), now))
                .unwrap(),
            "once"
        );
        let alerts = s
            .store
            .read(|c| clocks::alerts_since(c, t("2026-03-01T00:00:00Z"), 10))
            .unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].kind, "overdue");
        let counts = s.store.read(|c| clocks::count_by_state(c, None)).unwrap();
        assert_eq!(counts, vec![("overdue".to_string(), 1), ("running".to_string(), 1)]);
        let counts = s.store.read(|c| clocks::count_by_state(c, Some("310105002"))).unwrap();
        assert_eq!(counts, vec![("overdue".to_string(), 1)]);
    }
);

// ---------------------------------------------------------------- clues

use jingzhi_domain::clue::{Channel, Clue, ClueStatus, WorkOrderType};
use jingzhi_domain::geo::LocateMethod;
use jingzhi_store::repo::clues as clue_repo;

fn a_clue(no: &str, text: &str, street: &str, received: &str) -> Clue {
    Clue {
        id: 0,
        no: no.into(),
        channel: Channel::Hotline12345,
        source_ref: Some(format!("GD-{no}")),
        work_order_type: Some(WorkOrderType::Complaint),
        status: ClueStatus::Registered,
        description: text.into(),
        address: "长宁区仙霞路100号".into(),
        lng: Some(121.39),
        lat: Some(31.21),
        compound_id: None,
        place_key: Some("addr:仙霞路100号".into()),
        reporter_name: Some("王先生".into()),
        reporter_phone: Some("13800000000".into()),
        anonymous: false,
        reporter_org_id: None,
        reporter_user_id: None,
        discovered_at: None,
        under_construction: false,
        matter_code: "catering_fumes".into(),
        matter_confirmed: false,
        classification: "{}".into(),
        suggested_department: None,
        street_code: Some(street.into()),
        grid_code: None,
        locate_method: LocateMethod::Polygon,
        locate_reason: "坐标落点".into(),
        assigned_org_id: None,
        transferred_to_org_id: None,
        handler_user_id: None,
        duplicate_of: None,
        repeat_count: 0,
        verification: None,
        verification_note: None,
        disposal: None,
        disposal_note: None,
        recheck_date: None,
        reply: None,
        received_at: t(received),
        replied_at: None,
        closed_at: None,
        created_at: t(received),
        updated_at: t(received),
        search_text: jingzhi_domain::search::index_tokens(&format!("{no} {text}")),
    }
}

both_backends!(
    counters_count_per_scope_and_roll_back_with_the_transaction,
    |s: &Scratch| {
        assert_eq!(
            s.store.write(|c| clue_repo::next_counter(c, "clue", "2026")).unwrap(),
            1
        );
        assert_eq!(
            s.store.write(|c| clue_repo::next_counter(c, "clue", "2026")).unwrap(),
            2
        );
        assert_eq!(
            s.store.write(|c| clue_repo::next_counter(c, "clue", "2027")).unwrap(),
            1
        );
        let r: Result<i64, StoreError> = s.store.write(|c| {
            clue_repo::next_counter(c, "clue", "2026")?;
            Err(StoreError::Other("rolled back".into()))
        });
        assert!(r.is_err());
        assert_eq!(
            s.store.write(|c| clue_repo::next_counter(c, "clue", "2026")).unwrap(),
            3,
            "gapless: the rollback gave 3 back"
        );
        // Many numbers in one transaction are counted in memory and written at commit.
        let many = s
            .store
            .write(|c| {
                let mut v = Vec::new();
                for _ in 0..5 {
                    v.push(clue_repo::next_counter(c, "clue", "2026")?);
                    v.push(clue_repo::next_counter(c, "clue", "2027")?);
                }
                Ok::<_, StoreError>(v)
            })
            .unwrap();
        assert_eq!(many, vec![4, 2, 5, 3, 6, 4, 7, 5, 8, 6]);
        let r: Result<i64, StoreError> = s.store.write(|c| {
            clue_repo::next_counter(c, "clue", "2026")?;
            clue_repo::next_counter(c, "clue", "2026")?;
            Err(StoreError::Other("rolled back".into()))
        });
        assert!(r.is_err());
        assert_eq!(
            s.store.write(|c| clue_repo::next_counter(c, "clue", "2026")).unwrap(),
            9
        );
        // Two app servers numbering at once: every number once, none skipped.
        let taken = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|sc| {
            for _ in 0..2 {
                sc.spawn(|| {
                    for _ in 0..30 {
                        let got = s
                            .store
                            .write(|c| {
                                let a = clue_repo::next_counter(c, "case", "2026")?;
                                let b = clue_repo::next_counter(c, "case", "2026")?;
                                Ok::<_, StoreError>([a, b])
                            })
                            .unwrap();
                        assert_eq!(got[1], got[0] + 1, "one transaction's numbers follow each other");
                        taken.lock().unwrap().extend(got);
                    }
                });
            }
        });
        let mut taken = taken.into_inner().unwrap();
        taken.sort();
        assert_eq!(taken, (1..=120).collect::<Vec<i64>>());
    }
);

both_backends!(clues_insert_update_find_list_count_and_search, |s: &Scratch| {
    let (a, b) = s
        .store
        .write(|c| {
            street(c, "310105001", "华阳路街道");
            street(c, "310105002", "江苏路街道");
            let ka = a_clue("XS2026000001", "楼下饭店油烟扰民", "310105001", "2026-03-01T01:00:00Z");
            let kb = a_clue("XS2026000002", "工地夜间施工噪声", "310105002", "2026-03-02T01:00:00Z");
            let a = clue_repo::insert(c, &ka)?;
            let b = clue_repo::insert(c, &kb)?;
            Ok::<_, StoreError>((a, b))
        })
        .unwrap();
    let got = s.store.read(|c| clue_repo::get(c, a)).unwrap();
    assert_eq!(got.no, "XS2026000001");
    assert_eq!(got.work_order_type, Some(WorkOrderType::Complaint));
    assert_eq!(got.locate_method, LocateMethod::Polygon);
    assert_eq!(got.lng, Some(121.39));
    let dup = s.store.write(|c| {
        clue_repo::insert(
            c,
            &a_clue("XS2026000003", "x", "310105001", "2026-03-03T01:00:00Z").tap_source("GD-XS2026000001"),
        )
    });
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "source reference unique per channel"
    );
    let mut upd = got.clone();
    upd.status = ClueStatus::Dispatched;
    upd.verification = Some(jingzhi_domain::clue::Verification::Confirmed);
    upd.recheck_date = Some(d("2026-03-05"));
    upd.repeat_count = 2;
    s.store.write(|c| clue_repo::update(c, &upd)).unwrap();
    let got = s.store.write(|c| clue_repo::get_for_update(c, a)).unwrap();
    assert_eq!(
        (got.status, got.repeat_count, got.recheck_date),
        (ClueStatus::Dispatched, 2, Some(d("2026-03-05")))
    );
    let later: jiff::Timestamp = "2026-03-06T02:00:00Z".parse().unwrap();
    s.store.write(|c| clue_repo::count_repeat(c, a, later)).unwrap();
    let got = s.store.read(|c| clue_repo::get(c, a)).unwrap();
    assert_eq!(
        (got.repeat_count, got.updated_at, got.status),
        (3, later, ClueStatus::Dispatched),
        "one more report counted; nothing else changed"
    );
    assert_eq!(
        s.store
            .read(|c| clue_repo::find_by_no(c, "XS2026000002"))
            .unwrap()
            .unwrap()
            .id,
        b
    );
    assert_eq!(
        s.store
            .read(|c| clue_repo::find_by_source(c, Channel::Hotline12345, "GD-XS2026000002"))
            .unwrap()
            .unwrap()
            .id,
        b
    );
    assert!(
        s.store
            .read(|c| clue_repo::find_by_source(c, Channel::PublicReport, "GD-XS2026000002"))
            .unwrap()
            .is_none()
    );
    assert_eq!(
        s.store
            .read(|c| Ok::<_, StoreError>((
                clue_repo::source_exists(c, Channel::Hotline12345, "GD-XS2026000002")?,
                clue_repo::source_exists(c, Channel::PublicReport, "GD-XS2026000002")?,
            )))
            .unwrap(),
        (true, false)
    );
    // The same look for many references at once, past one statement's 500 (the known one last).
    let mut refs: Vec<String> = (0..700).map(|i| format!("GD-NONE-{i}")).collect();
    refs.push("GD-XS2026000002".into());
    let found = |channel| {
        s.store
            .read(|c| clue_repo::existing_sources(c, channel, &refs))
            .unwrap()
    };
    assert_eq!(
        found(Channel::Hotline12345).into_iter().collect::<Vec<_>>(),
        vec!["GD-XS2026000002".to_string()]
    );
    assert!(found(Channel::PublicReport).is_empty());
    let all = s
        .store
        .read(|c| clue_repo::list(c, &clue_repo::ClueFilter::default(), 10, 0))
        .unwrap();
    assert_eq!(all.iter().map(|k| k.id).collect::<Vec<_>>(), vec![b, a], "newest first");
    let f = clue_repo::ClueFilter {
        street_code: Some("310105001".into()),
        ..Default::default()
    };
    assert_eq!(s.store.read(|c| clue_repo::count(c, &f)).unwrap(), 1);
    let f = clue_repo::ClueFilter {
        statuses: vec![ClueStatus::Registered],
        ..Default::default()
    };
    assert_eq!(s.store.read(|c| clue_repo::list(c, &f, 10, 0)).unwrap()[0].id, b);
    let f = clue_repo::ClueFilter {
        repeated_only: true,
        ..Default::default()
    };
    assert_eq!(s.store.read(|c| clue_repo::count(c, &f)).unwrap(), 1);
    let search = |q: &str| {
        let tokens = jingzhi_domain::search::SearchQuery::parse(q)
            .tokens()
            .into_iter()
            .map(str::to_string)
            .collect();
        s.store
            .read(|c| {
                clue_repo::count(
                    c,
                    &clue_repo::ClueFilter {
                        tokens,
                        ..Default::default()
                    },
                )
            })
            .unwrap()
    };
    assert_eq!(search("油烟"), 1, "two characters");
    assert_eq!(search("夜间施工"), 1);
    assert_eq!(search("油烟 噪声"), 0, "all tokens must match");
    assert_eq!(search("XS2026000002"), 1);
    let like = clue_repo::ClueFilter {
        like: Some("噪".into()),
        ..Default::default()
    };
    assert_eq!(s.store.read(|c| clue_repo::count(c, &like)).unwrap(), 1);
    let ids = clue_repo::ClueFilter {
        ids: Some(vec![]),
        ..Default::default()
    };
    assert_eq!(s.store.read(|c| clue_repo::count(c, &ids)).unwrap(), 0);
    let since = clue_repo::ClueFilter {
        received_from: Some(t("2026-03-02T00:00:00Z")),
        ..Default::default()
    };
    assert_eq!(s.store.read(|c| clue_repo::count(c, &since)).unwrap(), 1);
    let by_status = s
        .store
        .read(|c| clue_repo::count_by_status(c, &clue_repo::ClueFilter::default()))
        .unwrap();
    assert_eq!(by_status.len(), 2);
    // Pages: counted up to the cap; both ways of reading a search give the same page.
    let only_search = clue_repo::ClueFilter {
        tokens: vec!["施工".into()],
        ..Default::default()
    };
    let (rows, total, _) = s.store.read(|c| clue_repo::page(c, &only_search, 10, 0, 5)).unwrap();
    assert_eq!((rows.iter().map(|k| k.id).collect::<Vec<_>>(), total), (vec![b], 1));
    let (rows, total, _) = s
        .store
        .read(|c| clue_repo::page_counted(c, &only_search, 10, 0, 5, Some(1)))
        .unwrap();
    assert_eq!((ids_of(&rows), total), (vec![b], 1), "the count known: the same page");
    let (rows, total, cap) = s
        .store
        .read(|c| clue_repo::page(c, &clue_repo::ClueFilter::default(), 1, 0, 1))
        .unwrap();
    assert_eq!(
        (rows.len(), total, cap),
        (1, 2, 1),
        "two clues, cap 1: one shown, \"more than 1\""
    );
    let (rows, total, cap) = s
        .store
        .read(|c| {
            clue_repo::page(
                c,
                &clue_repo::ClueFilter {
                    street_code: Some("310105001".into()),
                    tokens: vec!["油烟".into()],
                    ..Default::default()
                },
                10,
                0,
                100,
            )
        })
        .unwrap();
    assert_eq!(
        (rows.iter().map(|k| k.id).collect::<Vec<_>>(), total, cap),
        (vec![a], 1, 100)
    );
    // Inside a small set the page tests each row's tokens; the index gives the same answers
    // (phrases of adjacent bigrams, every term required, whole tokens only).
    for q in [
        "油烟",
        "夜间施工",
        "间施",
        "施工夜间",
        "油烟 噪声",
        "XS2026000002",
        "xs2026",
    ] {
        let tokens: Vec<String> = jingzhi_domain::search::SearchQuery::parse(q)
            .tokens()
            .into_iter()
            .map(str::to_string)
            .collect();
        for street in ["310105001", "310105002"] {
            let f = clue_repo::ClueFilter {
                street_code: Some(street.into()),
                tokens: tokens.clone(),
                ..Default::default()
            };
            let (rows, total, _) = s.store.read(|c| clue_repo::page(c, &f, 10, 0, 100)).unwrap();
            let by_index = s.store.read(|c| clue_repo::count(c, &f)).unwrap();
            assert_eq!((rows.len() as i64, total), (by_index, by_index), "{q} in {street}");
            // With the count known (kept from a moment ago): the same page, the count given.
            let (again, kept, _) = s
                .store
                .read(|c| clue_repo::page_counted(c, &f, 10, 0, 100, Some(total)))
                .unwrap();
            assert_eq!(ids_of(&again), ids_of(&rows), "{q} in {street}, count known");
            assert_eq!(kept, total);
        }
    }
    // A search inside statuses (the index holds each clue's status): the index's count
    // and the list follow a status change.
    let in_statuses = |statuses: Vec<ClueStatus>| {
        let f = clue_repo::ClueFilter {
            statuses,
            tokens: vec!["油烟".into()],
            ..Default::default()
        };
        s.store
            .read(|c| {
                let n = clue_repo::count(c, &f)?;
                let ids: Vec<i64> = clue_repo::list(c, &f, 10, 0)?.iter().map(|k| k.id).collect();
                // The page: the same clues and count (one walk of the index on SQLite).
                let (rows, total, _) = clue_repo::page(c, &f, 10, 0, 100)?;
                assert_eq!((rows.iter().map(|k| k.id).collect::<Vec<_>>(), total), (ids.clone(), n));
                let (again, kept, _) = clue_repo::page_counted(c, &f, 10, 0, 100, Some(total))?;
                assert_eq!((ids_of(&again), kept), (ids.clone(), n), "count known");
                Ok::<_, StoreError>((n, ids))
            })
            .unwrap()
    };
    assert_eq!(in_statuses(vec![ClueStatus::Dispatched]), (1, vec![a]));
    assert_eq!(in_statuses(vec![ClueStatus::Registered]), (0, vec![]));
    assert_eq!(
        in_statuses(vec![ClueStatus::Registered, ClueStatus::Dispatched]),
        (1, vec![a])
    );
    let mut back = s.store.read(|c| clue_repo::get(c, a)).unwrap();
    back.status = ClueStatus::Registered;
    s.store.write(|c| clue_repo::update(c, &back)).unwrap();
    assert_eq!(in_statuses(vec![ClueStatus::Dispatched]), (0, vec![]));
    assert_eq!(in_statuses(vec![ClueStatus::Registered]), (1, vec![a]));
    back.status = ClueStatus::Dispatched;
    s.store.write(|c| clue_repo::update(c, &back)).unwrap();
    assert_eq!(in_statuses(vec![ClueStatus::Dispatched]), (1, vec![a]));
    // The index itself holds one status token per clue, moved with the status (SQLite's FTS5
    // table, PostgreSQL's stored tsvector column).
    for st in [ClueStatus::Registered, ClueStatus::Dispatched, ClueStatus::Accepted] {
        let (in_index, stored) = s
            .store
            .read(|c| {
                let token = clue_repo::status_token(st);
                let in_index = match c.backend() {
                    jingzhi_store::Backend::Sqlite => c.scalar_i64(
                        "SELECT COUNT(*) FROM clue_fts WHERE clue_fts MATCH $1",
                        params![format!("\"{token}\"")],
                    )?,
                    jingzhi_store::Backend::Postgres => c.scalar_i64(
                        "SELECT COUNT(*) FROM clue WHERE search_vector @@ to_tsquery('simple', $1)",
                        params![token],
                    )?,
                };
                Ok::<_, StoreError>((
                    in_index,
                    c.scalar_i64("SELECT COUNT(*) FROM clue WHERE status = $1", params![st.code()])?,
                ))
            })
            .unwrap();
        assert_eq!(in_index, stored, "{st:?}");
    }
    // Search results come newest registered first, with the other conditions applied.
    let both = clue_repo::ClueFilter {
        tokens: vec!["xs2026000001".into()],
        ..Default::default()
    };
    assert_eq!(
        s.store
            .read(|c| clue_repo::list(c, &both, 10, 0))
            .unwrap()
            .iter()
            .map(|k| k.id)
            .collect::<Vec<_>>(),
        vec![a]
    );
    // Search follows updates of the text.
    let mut k = s.store.read(|c| clue_repo::get(c, b)).unwrap();
    k.search_text = jingzhi_domain::search::index_tokens("占道经营");
    s.store.write(|c| clue_repo::update(c, &k)).unwrap();
    assert_eq!(search("施工"), 1, "update leaves the token string and the index alone");
    s.store
        .write(|c| clue_repo::set_search_text(c, b, &jingzhi_domain::search::index_tokens("占道经营")))
        .unwrap();
    assert_eq!(search("施工"), 0);
    assert_eq!(search("占道"), 1);
    // A clue whose text changes in the transaction that adds it is indexed with the new text.
    let fresh = s
        .store
        .write(|c| {
            let k = a_clue("XS2026000009", "夜间施工扰民", "310105001", "2026-03-09T01:00:00Z");
            let id = clue_repo::insert(c, &k)?;
            clue_repo::set_search_text(c, id, &jingzhi_domain::search::index_tokens("露天烧烤"))?;
            Ok::<_, StoreError>(id)
        })
        .unwrap();
    assert_eq!(search("烧烤"), 1);
    // A clue whose status changes in the transaction that adds it is indexed with the new status.
    let accepted = s
        .store
        .write(|c| {
            let k = a_clue("XS2026000010", "露天烧烤油烟", "310105001", "2026-03-10T01:00:00Z");
            let id = clue_repo::insert(c, &k)?;
            let mut k = clue_repo::get(c, id)?;
            k.status = ClueStatus::Accepted;
            clue_repo::update(c, &k)?;
            Ok::<_, StoreError>(id)
        })
        .unwrap();
    let f = clue_repo::ClueFilter {
        statuses: vec![ClueStatus::Accepted],
        tokens: vec!["烧烤".into()],
        ..Default::default()
    };
    assert_eq!(s.store.read(|c| clue_repo::count(c, &f)).unwrap(), 1);
    assert_eq!(s.store.read(|c| clue_repo::list(c, &f, 10, 0)).unwrap()[0].id, accepted);

    assert_eq!(search("施工"), 0, "{fresh}");
    // Paging a search: the second page of one, counted up to a cap of one ("more than 1").
    let oil = clue_repo::ClueFilter {
        tokens: vec!["油烟".into()],
        ..Default::default()
    };
    let (rows, total, cap) = s.store.read(|c| clue_repo::page(c, &oil, 1, 1, 1)).unwrap();
    assert_eq!(
        (rows.iter().map(|k| k.id).collect::<Vec<_>>(), total, cap),
        (vec![a], 2, 1),
        "newest first: {accepted} then {a}"
    );
});

trait TapSource {
    fn tap_source(self, s: &str) -> Self;
}
impl TapSource for Clue {
    fn tap_source(mut self, s: &str) -> Self {
        self.source_ref = Some(s.into());
        self
    }
}

both_backends!(the_overdue_queue_is_most_overdue_first, |s: &Scratch| {
    let now = t("2026-03-05T01:00:00Z");
    let (a, b, d) = s
        .store
        .write(|c| {
            street(c, "310105001", "华阳路街道");
            let a = clue_repo::insert(c, &a_clue("XS2026000011", "油烟", "310105001", "2026-03-01T01:00:00Z"))?;
            let b = clue_repo::insert(c, &a_clue("XS2026000012", "油烟", "310105001", "2026-03-02T01:00:00Z"))?;
            let d = clue_repo::insert(c, &a_clue("XS2026000013", "油烟", "310105001", "2026-03-03T01:00:00Z"))?;
            let clock = |id: i64, state: &str, due: &str| clocks::ClockRow {
                subject_type: "clue".into(),
                ..a_clock(id, state, due, Some("310105001"))
            };
            // d is the most overdue; b has two overdue clocks; a is only due soon.
            clocks::insert_clock(c, &clock(b, "overdue", "2026-03-03T00:00:00Z"), now)?;
            clocks::insert_clock(c, &clock(d, "overdue", "2026-03-02T00:00:00Z"), now)?;
            clocks::insert_clock(c, &clock(b, "overdue", "2026-03-04T00:00:00Z"), now)?;
            clocks::insert_clock(c, &clock(a, "due_soon", "2026-03-06T00:00:00Z"), now)?;
            Ok::<_, StoreError>((a, b, d))
        })
        .unwrap();
    use clue_repo::ClueFilter;
    let overdue = ClueFilter {
        clock_state: Some("overdue".into()),
        ..Default::default()
    };
    let ids = |f: &ClueFilter, limit: i64, offset: i64| -> Vec<i64> {
        s.store
            .read(|c| clue_repo::list(c, f, limit, offset))
            .unwrap()
            .iter()
            .map(|k| k.id)
            .collect()
    };
    assert_eq!(ids(&overdue, 50, 0), vec![d, b], "earliest due first, each clue once");
    assert_eq!(ids(&overdue, 1, 1), vec![b]);
    assert_eq!(s.store.read(|c| clue_repo::count_capped(c, &overdue, 100)).unwrap(), 2);
    let in_street = ClueFilter {
        street_code: Some("310105001".into()),
        ..overdue.clone()
    };
    assert_eq!(ids(&in_street, 50, 0), vec![d, b]);
    assert_eq!(
        s.store.read(|c| clue_repo::count_capped(c, &in_street, 100)).unwrap(),
        2
    );
    let elsewhere = ClueFilter {
        street_code: Some("310105002".into()),
        ..overdue.clone()
    };
    assert!(ids(&elsewhere, 50, 0).is_empty());
    let soon = ClueFilter {
        clock_state: Some("due_soon".into()),
        ..Default::default()
    };
    assert_eq!(ids(&soon, 50, 0), vec![a]);
});

both_backends!(dedup_candidates_and_links, |s: &Scratch| {
    let (a, b) = s
        .store
        .write(|c| {
            street(c, "310105001", "华阳路街道");
            let a = clue_repo::insert(c, &a_clue("XS2026000001", "油烟", "310105001", "2026-03-01T01:00:00Z"))?;
            let mut closed = a_clue("XS2026000002", "油烟", "310105001", "2026-03-02T01:00:00Z");
            closed.status = ClueStatus::Closed;
            clue_repo::insert(c, &closed)?;
            let mut linked = a_clue("XS2026000003", "油烟", "310105001", "2026-03-03T01:00:00Z");
            linked.duplicate_of = Some(a);
            let b = clue_repo::insert(c, &linked)?;
            Ok::<_, StoreError>((a, b))
        })
        .unwrap();
    let cands = s
        .store
        .read(|c| clue_repo::dedup_candidates(c, Some("addr:仙霞路100号"), None, t("2026-02-01T00:00:00Z"), 10))
        .unwrap();
    assert_eq!(
        cands.iter().map(|k| k.id).collect::<Vec<_>>(),
        vec![a],
        "open primaries only"
    );
    assert!(
        s.store
            .read(|c| clue_repo::dedup_candidates(c, Some("addr:仙霞路100号"), None, t("2026-03-02T00:00:00Z"), 10))
            .unwrap()
            .is_empty()
    );
    // What a check read before a write has not seen: open clues stored after an id, at the key or
    // inside the box.
    let (new_here, near) = s
        .store
        .write(|c| {
            let max = clue_repo::max_id(c)?;
            assert!(max >= b);
            let here = clue_repo::insert(c, &a_clue("XS2026000004", "油烟", "310105001", "2026-03-04T01:00:00Z"))?;
            let mut near = a_clue("XS2026000005", "油烟", "310105001", "2026-03-04T02:00:00Z");
            near.place_key = Some("addr:仙霞路102号".into());
            let near = clue_repo::insert(c, &near)?;
            let mut far = a_clue("XS2026000006", "油烟", "310105001", "2026-03-04T03:00:00Z");
            far.place_key = Some("addr:别处".into());
            far.lng = Some(121.50);
            clue_repo::insert(c, &far)?;
            let by_key = clue_repo::dedup_arrivals(c, max, Some("addr:仙霞路100号"), None, t("2026-02-01T00:00:00Z"))?;
            assert_eq!(by_key.iter().map(|k| k.id).collect::<Vec<_>>(), vec![here]);
            let by_box = clue_repo::dedup_arrivals(
                c,
                max,
                Some("addr:仙霞路100号"),
                Some([121.389, 121.391, 31.209, 31.211]),
                t("2026-02-01T00:00:00Z"),
            )?;
            assert_eq!(
                by_box.iter().map(|k| k.id).collect::<Vec<_>>(),
                vec![near, here],
                "newest first"
            );
            assert!(clue_repo::dedup_arrivals(c, max, None, None, t("2026-02-01T00:00:00Z"))?.is_empty());
            Ok::<_, StoreError>((here, near))
        })
        .unwrap();
    assert!(new_here > b && near > new_here);
    assert_eq!(
        s.store
            .read(|c| clue_repo::linked_to(c, a))
            .unwrap()
            .iter()
            .map(|k| k.id)
            .collect::<Vec<_>>(),
        vec![b]
    );
});

/// One clue (XS2026000001, 油烟, 华阳路街道) in an empty store: its id.
fn one_clue(s: &Scratch) -> i64 {
    s.store
        .write(|c| {
            street(c, "310105001", "华阳路街道");
            clue_repo::insert(c, &a_clue("XS2026000001", "油烟", "310105001", "2026-03-01T01:00:00Z"))
        })
        .unwrap()
}

/// A timeline event of a clue (registered → accepted, by org 3).
fn an_event(clue_id: i64, action: &str, at: &str) -> clue_repo::ClueEvent {
    clue_repo::ClueEvent {
        id: 0,
        clue_id,
        at: t(at),
        actor_user_id: None,
        actor_name: "陈静".into(),
        actor_org_id: Some(3),
        action: action.into(),
        from_status: Some("registered".into()),
        to_status: Some("accepted".into()),
        note: "说明".into(),
        data: None,
    }
}

both_backends!(clue_events_attachments_blobs_and_labels, |s: &Scratch| {
    let id = one_clue(s);
    let ev = |action: &str, at: &str| an_event(id, action, at);
    s.store
        .write(|c| {
            clue_repo::insert_event(c, &ev("accept", "2026-03-01T02:00:00Z"))?;
            clue_repo::insert_event(c, &ev("send_back", "2026-03-01T03:00:00Z"))?;
            clue_repo::insert_event(c, &ev("reassign", "2026-03-01T04:00:00Z"))
        })
        .unwrap();
    let evs = s.store.read(|c| clue_repo::events_of(c, id)).unwrap();
    assert_eq!(
        evs.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["accept", "send_back", "reassign"]
    );
    let ret = s
        .store
        .read(|c| clue_repo::returns_since(c, t("2026-03-01T00:00:00Z")))
        .unwrap();
    assert_eq!(
        ret,
        vec![
            ("reassign".to_string(), "3".to_string(), 1),
            ("send_back".to_string(), "3".to_string(), 1)
        ]
    );
    let bytes = vec![0u8, 159, 146, 150, 255];
    let att = s
        .store
        .write(|c| {
            clue_repo::put_blob(c, "abc", "image/png", &bytes, t("2026-03-01T02:00:00Z"))?;
            clue_repo::put_blob(c, "abc", "image/png", &bytes, t("2026-03-01T02:00:00Z"))?;
            clue_repo::insert_attachment(
                c,
                &clue_repo::Attachment {
                    id: 0,
                    clue_id: id,
                    sha256: "abc".into(),
                    filename: "现场.png".into(),
                    content_type: "image/png".into(),
                    size: 5,
                    uploaded_by: "陈静".into(),
                    uploaded_at: t("2026-03-01T02:00:00Z"),
                },
            )
        })
        .unwrap();
    assert_eq!(
        s.store.read(|c| clue_repo::get_blob(c, "abc")).unwrap(),
        ("image/png".to_string(), bytes.clone())
    );
    assert_eq!(
        s.store.read(|c| clue_repo::get_attachment(c, att)).unwrap().filename,
        "现场.png"
    );
    assert_eq!(s.store.read(|c| clue_repo::attachments_of(c, id)).unwrap().len(), 1);
    s.store
        .write(|c| {
            clue_repo::insert_label(
                c,
                Some(id),
                "油烟",
                "other",
                "catering_fumes",
                "dispatcher",
                t("2026-03-01T02:00:00Z"),
            )
        })
        .unwrap();
    assert_eq!(
        s.store.read(clue_repo::labels).unwrap(),
        vec![("catering_fumes".to_string(), "油烟".to_string(), "other".to_string())]
    );
});

both_backends!(catalogue_boundaries_and_roads_are_stored_as_data, |s: &Scratch| {
    let now = t("2026-03-01T00:00:00Z");
    s.store
        .write(|c| {
            clue_repo::upsert_matter(
                c,
                &clue_repo::DefinitionRow {
                    code: "b".into(),
                    position: 2,
                    definition: "B".into(),
                },
                now,
            )?;
            clue_repo::upsert_matter(
                c,
                &clue_repo::DefinitionRow {
                    code: "a".into(),
                    position: 1,
                    definition: "A".into(),
                },
                now,
            )?;
            clue_repo::upsert_matter(
                c,
                &clue_repo::DefinitionRow {
                    code: "a".into(),
                    position: 1,
                    definition: "A2".into(),
                },
                now,
            )?;
            clue_repo::set_catalogue_extra(c, "rest", now)?;
            clue_repo::set_catalogue_extra(c, "rest2", now)?;
            let b = |code: &str| clue_repo::BoundaryRow {
                code: code.into(),
                kind: String::new(),
                name: format!("街道{code}"),
                geometry: "{}".into(),
                approximate: true,
            };
            clue_repo::replace_boundaries(c, "street", &[b("1"), b("2")], now)?;
            clue_repo::replace_boundaries(c, "street", &[b("3")], now)?;
            clue_repo::replace_boundaries(c, "grid", &[b("g1")], now)?;
            clue_repo::upsert_road(
                c,
                &clue_repo::RoadRow {
                    name: "仙霞路".into(),
                    street_code: "310105008".into(),
                    ambiguous: true,
                    also: "310105009".into(),
                },
                now,
            )?;
            clue_repo::upsert_road(
                c,
                &clue_repo::RoadRow {
                    name: "仙霞路".into(),
                    street_code: "310105008".into(),
                    ambiguous: false,
                    also: String::new(),
                },
                now,
            )
        })
        .unwrap();
    let m = s.store.read(clue_repo::matters).unwrap();
    assert_eq!(
        m.iter()
            .map(|x| (x.code.as_str(), x.definition.as_str()))
            .collect::<Vec<_>>(),
        vec![("a", "A2"), ("b", "B")]
    );
    assert_eq!(
        s.store.read(clue_repo::catalogue_extra).unwrap().as_deref(),
        Some("rest2")
    );
    let bs = s.store.read(clue_repo::boundaries).unwrap();
    assert_eq!(
        bs.iter()
            .map(|b| (b.kind.as_str(), b.code.as_str()))
            .collect::<Vec<_>>(),
        vec![("grid", "g1"), ("street", "3")]
    );
    let roads = s.store.read(clue_repo::roads).unwrap();
    assert_eq!(roads.len(), 1);
    assert!(!roads[0].ambiguous);
});

both_backends!(bench_probes_insert_one_row_per_call, |s: &Scratch| {
    for i in 0..3 {
        s.store
            .write(|c| jingzhi_store::repo::bench::insert_probe(c, t("2026-03-01T00:00:00Z"), &i.to_string()))
            .unwrap();
    }
    assert_eq!(s.store.read(jingzhi_store::repo::bench::count_probes).unwrap(), 3);
});

both_backends!(open_clocks_of_many_subjects_at_once, |s: &Scratch| {
    let now = t("2026-03-02T03:00:00Z");
    s.store
        .write(|c| {
            clocks::insert_clock(c, &a_clock(1, "running", "2026-05-31T15:59:59.999999Z", None), now)?;
            clocks::insert_clock(c, &a_clock(2, "overdue", "2026-03-01T15:59:59.999999Z", None), now)?;
            let k3 = clocks::insert_clock(c, &a_clock(3, "running", "2026-03-01T15:59:59.999999Z", None), now)?;
            clocks::set_clock_met(c, k3, now, "met", now)
        })
        .unwrap();
    let got = s
        .store
        .read(|c| clocks::open_clocks_of(c, "case", &[1, 2, 3, 99]))
        .unwrap();
    assert_eq!(got.iter().map(|k| k.subject_id).collect::<Vec<_>>(), vec![1, 2]);
    assert!(
        s.store
            .read(|c| clocks::open_clocks_of(c, "clue", &[1, 2]))
            .unwrap()
            .is_empty()
    );
    assert!(
        s.store
            .read(|c| clocks::open_clocks_of(c, "case", &[]))
            .unwrap()
            .is_empty()
    );
});

// ---------------------------------------------------------------------------------------------
// Penalty cases (repo::cases)

mod cases_repo {
    use super::*;
    use jingzhi_domain::case::{
        CaseFacts, CaseStatus, DocumentKind, EvidenceType, Officer, Party, PartyKind, ProcedureKind, SignatureStatus,
    };
    use jingzhi_store::repo::cases::{self, CaseFilter, CaseRow};

    pub(super) fn subject(c: &mut dyn Conn, code: &str) -> (StreetCode, i64) {
        let st = street(c, "310105001", "华阳路街道");
        let team = org(c, OrgKind::StreetTeam, code, Some(&st), None);
        (st, team)
    }

    pub(super) fn a_case(subject_org_id: i64, street: &str, seq: i64, title: &str) -> CaseRow {
        let mut facts = CaseFacts::new(ProcedureKind::Ordinary, PartyKind::Citizen);
        facts.officers = vec![Officer::new("张明", Some("31010500001"))];
        CaseRow {
            id: 0,
            number: Some(format!("华阳路街道城管罚字〔2026〕第{seq:04}号")),
            subject_org_id,
            year: 2026,
            seq: Some(seq),
            procedure: ProcedureKind::Ordinary,
            status: CaseStatus::Filed,
            matter_code: "street_vending".into(),
            variant: None,
            clue_id: None,
            street_code: Some(street.into()),
            party_name: "张三".into(),
            party_kind: PartyKind::Citizen,
            title: title.into(),
            summary: "在人行道上摆摊".into(),
            place: "华阳路100号".into(),
            amount_yuan: None,
            filed_at: t("2026-03-02T01:00:00Z"),
            decided_at: None,
            closed_at: None,
            created_by: None,
            updated_at: t("2026-03-02T01:00:00Z"),
            facts,
            version: 1,
        }
    }

    both_backends!(case_search_follows_titles_parties_and_backfill, |s: &Scratch| {
        let now = t("2026-03-02T01:00:00Z");
        let (st, team) = s.store.write(|c| Ok::<_, StoreError>(subject(c, "team-s"))).unwrap();
        let a = s
            .store
            .write(|c| cases::insert(c, &a_case(team, st.as_str(), 1, "张三占道经营案")))
            .unwrap();
        let b = s
            .store
            .write(|c| cases::insert(c, &a_case(team, st.as_str(), 2, "饭店油烟扰民案")))
            .unwrap();
        let find = |q: &str| -> Vec<i64> {
            let (rows, n) = s
                .store
                .read(|c| {
                    cases::list(
                        c,
                        &CaseFilter {
                            q: Some(q.into()),
                            limit: 50,
                            ..CaseFilter::default()
                        },
                    )
                })
                .unwrap();
            assert_eq!(n as usize, rows.len(), "{q}");
            let mut ids: Vec<i64> = rows.iter().map(|k| k.id).collect();
            ids.sort();
            ids
        };
        assert_eq!(find("油烟"), vec![b], "a two-character term");
        assert_eq!(find("饭店油烟"), vec![b]);
        assert_eq!(find("0001"), vec![a], "a number's digits");
        assert_eq!(
            find("第0002号"),
            vec![b],
            "single characters fall back to a substring match"
        );
        assert_eq!(find("张三"), vec![a, b], "the party");
        assert_eq!(find("华阳路"), vec![a, b], "the place");
        assert!(find("王五").is_empty());
        assert!(find("油烟 张三占道").is_empty(), "every term must match");
        // A party added later is found; a changed title stops matching its old words.
        s.store
            .write(|c| {
                cases::insert_party(
                    c,
                    a,
                    &Party::citizen("王五", "11010519491231002X", "上海市长宁区华阳路1弄2号").unwrap(),
                    now,
                )
            })
            .unwrap();
        assert_eq!(find("王五"), vec![a]);
        let mut k = s.store.read(|c| cases::get(c, b)).unwrap();
        k.title = "跨门营业案".into();
        s.store.write(|c| cases::update(c, &k)).unwrap();
        assert!(find("油烟").is_empty());
        assert_eq!(find("跨门"), vec![b]);
        // Cases stored before the index existed are found once backfilled.
        s.store
            .write(|c| c.execute("UPDATE penalty_case SET search_text = ''", &[]).map(|_| ()))
            .unwrap();
        assert!(find("跨门").is_empty());
        assert_eq!(s.store.write(|c| cases::backfill_search(c, 1)).unwrap(), 1);
        assert_eq!(s.store.write(|c| cases::backfill_search(c, 10)).unwrap(), 1);
        assert_eq!(s.store.write(|c| cases::backfill_search(c, 10)).unwrap(), 0);
        assert_eq!(find("跨门"), vec![b]);
        assert_eq!(find("王五"), vec![a]);
        if s.store.backend() == jingzhi_store::Backend::Sqlite {
            s.store
                .write(|c| c.execute_batch("INSERT INTO case_fts(case_fts) VALUES ('integrity-check')"))
                .unwrap();
        }
    });

    both_backends!(cases_insert_update_with_version_and_list, |s: &Scratch| {
        let now = t("2026-03-02T01:00:00Z");
        let (st, team) = s.store.write(|c| Ok::<_, StoreError>(subject(c, "team-a"))).unwrap();
        let id = s
            .store
            .write(|c| cases::insert(c, &a_case(team, st.as_str(), 1, "张三占道经营案")))
            .unwrap();
        let mut k = s.store.read(|c| cases::get(c, id)).unwrap();
        assert_eq!(k.title, "张三占道经营案");
        assert_eq!(k.facts.officers[0].certificate_no.as_deref(), Some("31010500001"));
        assert_eq!(k.version, 1);
        // An update with the version read succeeds and bumps it; a second with the old one is stale.
        k.status = CaseStatus::Investigating;
        k.amount_yuan = Some(200);
        s.store.write(|c| cases::update(c, &k)).unwrap();
        let again = s.store.read(|c| cases::get(c, id)).unwrap();
        assert_eq!(
            (again.status, again.version, again.amount_yuan),
            (CaseStatus::Investigating, 2, Some(200))
        );
        let r = s.store.write(|c| cases::update(c, &k));
        assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
        // The sequence is unique per subject and year.
        let dup = s
            .store
            .write(|c| cases::insert(c, &a_case(team, st.as_str(), 1, "重复")));
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        // Lists: scope, status, search by number, party or title.
        s.store
            .write(|c| cases::insert(c, &a_case(team, "310105002", 2, "李四跨门营业案")))
            .unwrap();
        let list = |f: CaseFilter| {
            s.store
                .read(|c| cases::list(c, &CaseFilter { limit: 50, ..f }))
                .unwrap()
        };
        assert_eq!(list(CaseFilter::default()).1, 2);
        let (rows, capped) = list(CaseFilter {
            count_cap: Some(1),
            ..CaseFilter::default()
        });
        assert_eq!(
            (rows.len(), capped),
            (2, 2),
            "counted up to the cap plus one, rows by the limit"
        );
        assert_eq!(
            list(CaseFilter {
                count_cap: Some(0),
                ..CaseFilter::default()
            })
            .1,
            1
        );
        let (rows, n) = list(CaseFilter {
            street_code: Some(st.to_string()),
            ..CaseFilter::default()
        });
        assert_eq!((n, rows[0].id), (1, id));
        assert_eq!(
            list(CaseFilter {
                statuses: vec![CaseStatus::Investigating],
                ..CaseFilter::default()
            })
            .1,
            1
        );
        assert_eq!(
            list(CaseFilter {
                q: Some("跨门".into()),
                ..CaseFilter::default()
            })
            .1,
            1
        );
        assert_eq!(
            list(CaseFilter {
                q: Some("第0002号".into()),
                ..CaseFilter::default()
            })
            .1,
            1
        );
        let found = s
            .store
            .read(|c| cases::find_by_number(c, "华阳路街道城管罚字〔2026〕第0001号"))
            .unwrap()
            .unwrap();
        assert_eq!(found.id, id);
        // Parties, officers, events, evidence, records, documents and publicity.
        s.store
            .write(|c| {
                let p = Party::citizen("张三", "11010519491231002X", "上海市长宁区华阳路1号").unwrap();
                cases::insert_party(c, id, &p, now)?;
                let u = user(c, "off1", team, &[Role::Officer]);
                cases::upsert_officer(
                    c,
                    id,
                    &Officer {
                        user_id: Some(u),
                        name: "张明".into(),
                        certificate_no: Some("31010500001".into()),
                    },
                    now,
                )?;
                cases::upsert_officer(
                    c,
                    id,
                    &Officer {
                        user_id: Some(u),
                        name: "张明（改）".into(),
                        certificate_no: Some("31010500001".into()),
                    },
                    now,
                )?;
                cases::insert_evidence(
                    c,
                    &cases::EvidenceRow {
                        id: 0,
                        case_id: id,
                        evidence_type: EvidenceType::AudioVisual,
                        title: "现场照片".into(),
                        officers: vec![Officer::new("张明", Some("31010500001"))],
                        collected_at: now,
                        place: "华阳路100号".into(),
                        signature: None,
                        sha256: Some("ab".repeat(32)),
                        size: Some(1024),
                        content_type: Some("image/jpeg".into()),
                        created_by: "张明".into(),
                        created_at: now,
                    },
                )?;
                cases::insert_record(
                    c,
                    &cases::RecordRow {
                        id: 0,
                        case_id: id,
                        kind: DocumentKind::InspectionRecord,
                        content: "现场检查情况".into(),
                        officers: vec![],
                        signature: Some(SignatureStatus::RefusalNoted),
                        recorded_at: now,
                        created_by: "张明".into(),
                        created_at: now,
                    },
                )?;
                cases::insert_document(
                    c,
                    &cases::DocumentRow {
                        id: 0,
                        case_id: id,
                        kind: DocumentKind::PriorNotice,
                        number: Some("华阳路街道城管告字〔2026〕第0001号".into()),
                        content: "{\"a\":1}".into(),
                        sha256: "00".repeat(32),
                        issued_at: now,
                        issued_by: "张明".into(),
                    },
                )?;
                cases::insert_publicity(
                    c,
                    &cases::PublicityRow {
                        case_id: id,
                        published_at: now,
                        due_by: None,
                        withdrawn_at: None,
                        reason: None,
                        notice: "{}".into(),
                    },
                )
            })
            .unwrap();
        let (parties, officers, ev, recs, docs) = s
            .store
            .read(|c| {
                Ok::<_, StoreError>((
                    cases::parties_of(c, id)?,
                    cases::officers_of(c, id)?,
                    cases::evidence_of(c, id)?,
                    cases::records_of(c, id)?,
                    cases::documents_of(c, id)?,
                ))
            })
            .unwrap();
        assert_eq!(parties[0].to_party().id_number, "11010519491231002X");
        assert_eq!(officers.len(), 1);
        assert_eq!(officers[0].name, "张明（改）");
        assert_eq!(ev[0].sha256.as_deref(), Some("ab".repeat(32).as_str()));
        assert_eq!(ev[0].officers[0].name, "张明");
        assert_eq!(recs[0].signature, Some(SignatureStatus::RefusalNoted));
        assert_eq!(docs[0].kind, DocumentKind::PriorNotice);
        assert_eq!(s.store.read(|c| cases::published(c, now, 10)).unwrap().len(), 1);
        assert!(
            s.store
                .write(|c| cases::withdraw_publicity(c, id, "决定已被撤销", now))
                .unwrap()
        );
        assert!(
            !s.store
                .write(|c| cases::withdraw_publicity(c, id, "再次", now))
                .unwrap()
        );
        assert!(s.store.read(|c| cases::published(c, now, 10)).unwrap().is_empty());
    });

    both_backends!(case_numbers_are_gapless_under_concurrent_filing, |s: &Scratch| {
        // Eight filers at once, every fourth filing fails after taking its number: the numbers that
        // remain are 1..N without a gap, per subject and year.
        let (st, team) = s.store.write(|c| Ok::<_, StoreError>(subject(c, "team-n"))).unwrap();
        let other = s
            .store
            .write(|c| Ok::<_, StoreError>(org(c, OrgKind::DistrictBureau, "bureau-n", None, None)))
            .unwrap();
        std::thread::scope(|sc| {
            for th in 0..8 {
                let st = st.clone();
                sc.spawn(move || {
                    for i in 0..12 {
                        let subject_id = if i % 2 == 0 { team } else { other };
                        let r: Result<i64, StoreError> = s.store.write(|c| {
                            let seq = cases::next_case_seq(c, subject_id, 2026)?;
                            let id = cases::insert(c, &a_case(subject_id, st.as_str(), seq, &format!("案{th}-{i}")))?;
                            if (th + i) % 4 == 3 {
                                return Err(StoreError::Other("refused".into()));
                            }
                            Ok(id)
                        });
                        assert_eq!(r.is_ok(), (th + i) % 4 != 3, "{th}-{i}: {r:?}");
                    }
                });
            }
        });
        for subject_id in [team, other] {
            let seqs = s.store.read(|c| cases::seqs_of(c, subject_id, 2026)).unwrap();
            let n = seqs.len() as i64;
            assert_eq!(n, 36, "three of four filings of 48 committed");
            assert_eq!(seqs, (1..=n).collect::<Vec<_>>(), "gapless for subject {subject_id}");
        }
        // Another year starts again at 1.
        assert_eq!(s.store.write(|c| cases::next_case_seq(c, team, 2027)).unwrap(), 1);
    });
}

fn ids_of(rows: &[jingzhi_domain::clue::Clue]) -> Vec<i64> {
    rows.iter().map(|k| k.id).collect()
}

// `Conn::insert_later` (timeline events, audit records): PostgreSQL keeps the rows and sends them
// together; whatever it keeps, the transaction's own statements see them, they commit with it in
// their order (the audit chain unbroken), and a kept row that fails fails the whole write.
both_backends!(
    rows_inserted_later_are_seen_by_their_transaction_and_commit_with_it,
    |s: &Scratch| {
        let id = one_clue(s);
        let ev = |clue_id: i64, action: String| an_event(clue_id, &action, "2026-03-01T02:00:00Z");
        let append = |c: &mut dyn Conn, n: usize| {
            audit::append(
                c,
                audit::NewAudit {
                    at: "2026-03-01T02:00:00.000000Z",
                    actor_user_id: None,
                    actor_name: "system",
                    actor_org_id: None,
                    action: "later.test",
                    entity: "clue",
                    entity_id: &n.to_string(),
                    before: None,
                    after: None,
                },
            )
        };
        // More rows than are kept at once, interleaved with inserts elsewhere; then reads.
        let seen = s
            .store
            .write(|c| {
                for i in 0..300 {
                    clue_repo::insert_event(c, &ev(id, format!("a{i}")))?;
                    append(c, i)?;
                    if i % 100 == 0 {
                        clue_repo::insert(
                            c,
                            &a_clue(
                                &format!("XS2026{:06}", 2 + i),
                                "占道",
                                "310105001",
                                "2026-03-01T01:00:00Z",
                            ),
                        )?;
                    }
                }
                Ok::<_, StoreError>((clue_repo::events_of(c, id)?.len(), audit::count(c)?))
            })
            .unwrap();
        assert_eq!(seen, (300, 300));
        // An update after kept rows: it runs after them (it could fire checks on them), and a read
        // naming their table sees them.
        let after_update = s
            .store
            .write(|c| {
                clue_repo::insert_event(c, &ev(id, "b".into()))?;
                c.execute("UPDATE clue SET repeat_count = 1 WHERE id = $1", params![id])?;
                clue_repo::events_of(c, id).map(|e| e.len())
            })
            .unwrap();
        assert_eq!(after_update, 301);
        let events = s.store.read(|c| clue_repo::events_of(c, id)).unwrap();
        let want: Vec<String> = (0..300).map(|i| format!("a{i}")).chain(["b".to_string()]).collect();
        assert_eq!(events.iter().map(|e| e.action.clone()).collect::<Vec<_>>(), want);
        let records = s.store.read(|c| audit::batch_after(c, 0, 1000)).unwrap();
        let mut chain = ChainVerifier::default();
        for r in &records {
            chain.feed(r).unwrap();
        }
        assert_eq!((records.len(), s.store.read(audit::head).unwrap().0), (300, 300));
        // A kept row that fails (an event of a clue that does not exist) fails the write; its audit
        // record does not stay.
        let bad = s.store.write(|c| {
            append(c, 999)?;
            clue_repo::insert_event(c, &ev(id + 1000, "bad".into()))
        });
        assert!(bad.is_err(), "{bad:?}");
        assert_eq!(s.store.read(audit::count).unwrap(), 300);
        assert_eq!(s.store.read(audit::head).unwrap().0, 300);
        // The next write goes on from the same head.
        s.store.write(|c| append(c, 1000)).unwrap();
        let last = s.store.read(|c| audit::batch_after(c, 300, 10)).unwrap();
        chain.feed(&last[0]).unwrap();
    }
);
