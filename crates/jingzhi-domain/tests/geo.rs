//! Coordinates, boundaries and jurisdiction.

use jingzhi_domain::geo::*;

/// (WGS84 lat, lng, GCJ-02 lat, lng): the reference pairs published with the public GCJ-02
/// algorithm (googollee/eviltransform test suite).
const REFERENCE: [(f64, f64, f64, f64); 3] = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215), // Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363), // Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657), // Beijing
];

#[test]
fn forward_conversion_matches_the_reference_pairs() {
    for (wlat, wlng, glat, glng) in REFERENCE {
        let g = Wgs84::new(wlng, wlat).to_gcj02();
        let d = haversine_m(Wgs84::new(g.lng, g.lat), Wgs84::new(glng, glat));
        assert!(d < 0.01, "forward error {d} m at {wlat},{wlng}");
    }
}

#[test]
fn inverse_conversion_matches_the_reference_pairs() {
    for (wlat, wlng, glat, glng) in REFERENCE {
        let w = Gcj02::new(glng, glat).to_wgs84();
        let d = haversine_m(w, Wgs84::new(wlng, wlat));
        assert!(d < 0.01, "inverse error {d} m at {glat},{glng}");
    }
}

#[test]
fn round_trip_over_shanghai_is_below_a_centimetre() {
    let mut worst: f64 = 0.0;
    for i in 0..=20 {
        for j in 0..=20 {
            let p = Wgs84::new(120.85 + 1.2 * i as f64 / 20.0, 30.68 + 1.2 * j as f64 / 20.0);
            let back = p.to_gcj02().to_wgs84();
            worst = worst.max(haversine_m(p, back));
            // The offset itself is several hundred metres in Shanghai: the conversion is not a no-op.
            let g = p.to_gcj02();
            let offset = haversine_m(p, Wgs84::new(g.lng, g.lat));
            assert!((200.0..900.0).contains(&offset), "offset {offset} m at {p:?}");
        }
    }
    assert!(worst < 0.01, "worst round-trip error {worst} m");
}

#[test]
fn no_offset_outside_china() {
    let paris = Wgs84::new(2.3522, 48.8566);
    let g = paris.to_gcj02();
    assert_eq!((g.lng, g.lat), (paris.lng, paris.lat));
    assert_eq!(Gcj02::new(2.3522, 48.8566).to_wgs84(), paris);
}

#[test]
fn haversine_distances() {
    let a = Wgs84::new(121.4, 31.2);
    let b = Wgs84::new(121.4, 32.2);
    let one_degree = std::f64::consts::PI * EARTH_RADIUS_M / 180.0;
    assert!((haversine_m(a, b) - one_degree).abs() < 1e-6);
    assert_eq!(haversine_m(a, b), haversine_m(b, a));
    assert_eq!(haversine_m(a, a), 0.0);
    // People's Square (Shanghai) to Tiananmen (Beijing): about 1,067 km.
    let d = haversine_m(Wgs84::new(121.4737, 31.2304), Wgs84::new(116.3975, 39.9087));
    assert!((1_060_000.0..1_075_000.0).contains(&d), "{d}");
    // 150 m east at Shanghai's latitude.
    let dx = 150.0 / (one_degree * 31.2f64.to_radians().cos());
    assert!((haversine_m(a, Wgs84::new(121.4 + dx, 31.2)) - 150.0).abs() < 0.01);
}

#[test]
fn demo_boundaries_parse_as_ten_approximate_streets() {
    let b = parse_boundaries(DEMO_BOUNDARIES_GEOJSON, None).unwrap();
    assert_eq!(b.len(), 10);
    assert!(b.iter().all(|s| s.level == BoundaryLevel::Street && s.approximate));
    assert!(b.iter().any(|s| s.code == "310105001" && s.name == "华阳路街道"));
}

#[test]
fn every_demo_compound_resolves_to_its_own_street_by_polygon() {
    let j = Jurisdiction::demo();
    assert!(j.rules().compounds.len() >= 50);
    for c in &j.rules().compounds {
        let p = c.point().expect("demo compounds have points");
        let l = j.locate(Some(p), "");
        assert_eq!(l.method, LocateMethod::Polygon, "{}", c.name);
        assert_eq!(
            l.street_code.as_deref(),
            Some(c.street_code.as_str()),
            "{} {:?}",
            c.name,
            l
        );
        assert!(
            l.reason.starts_with("坐标位于") && l.reason.contains("（近似边界）"),
            "{}",
            l.reason
        );
        assert!(!l.needs_review);
    }
}

#[test]
fn a_gcj_point_from_a_map_app_lands_in_the_same_street() {
    let j = Jurisdiction::demo();
    let c = j.rules().compounds.iter().find(|c| c.name == "天山二村").unwrap();
    let gcj = c.point().unwrap().to_gcj02();
    let l = j.locate(Some(gcj.to_wgs84()), "");
    assert_eq!(l.street_code.as_deref(), Some("310105006"));
}

#[test]
fn address_only_texts_resolve_by_rules() {
    let j = Jurisdiction::demo();
    for c in &j.rules().compounds {
        let l = j.locate(None, &format!("{}5号楼楼道里堆满了杂物", c.name));
        assert_eq!(l.method, LocateMethod::CompoundName, "{}", c.name);
        assert_eq!(l.street_code.as_deref(), Some(c.street_code.as_str()), "{}", c.name);
        assert_eq!(l.compound_code.as_deref(), Some(c.code.as_str()));
        let by_address = j.locate(None, &format!("{}12号302群租", c.address));
        assert_eq!(
            by_address.street_code.as_deref(),
            Some(c.street_code.as_str()),
            "{}",
            c.address
        );
        assert_eq!(
            by_address.compound_code.as_deref(),
            Some(c.code.as_str()),
            "{}",
            c.address
        );
    }
    let l = j.locate(None, "天山二村楼下绿地被挖");
    assert_eq!(l.reason, "地址含小区“天山二村”，属天山路街道");
    let l = j.locate(None, "华阳路112弄9号楼晚上装修");
    assert_eq!(l.reason, "地址含“华阳路112弄”（华阳小区），属华阳路街道");
}

#[test]
fn unambiguous_roads_resolve_and_ambiguous_roads_are_flagged() {
    let j = Jurisdiction::demo();
    let l = j.locate(None, "江苏路上有人推三轮车卖水果");
    assert_eq!(l.method, LocateMethod::RoadRule);
    assert_eq!(l.street_code.as_deref(), Some("310105002"));
    assert_eq!(l.reason, "地址含“江苏路”，属江苏路街道");
    assert!(!l.needs_review);

    let l = j.locate(None, "仙霞路上一家面馆油烟很大");
    assert_eq!(l.street_code.as_deref(), Some("310105008"));
    assert!(
        l.reason.starts_with("地址含“仙霞路”，属仙霞新村街道（该路跨"),
        "{}",
        l.reason
    );
    assert!(l.needs_review);
    assert!(l.candidates.contains(&"310105006".to_string()));

    // Longest match: 延安西路 (not 安西路, a different road of 江苏路街道).
    let l = j.locate(None, "延安西路边上的工地");
    assert!(l.reason.starts_with("地址含“延安西路”"), "{}", l.reason);
    // An unambiguous road beats an ambiguous one at a crossing.
    let l = j.locate(None, "虹桥路红宝石路口有人摆摊");
    assert!(l.reason.starts_with("地址含“红宝石路”"), "{}", l.reason);
}

#[test]
fn nothing_known_goes_to_the_dispatch_desk() {
    let j = Jurisdiction::demo();
    let l = j.locate(None, "不知道在哪条路上，反正很吵");
    assert_eq!(l.method, LocateMethod::Fallback);
    assert_eq!(l.street_code, None);
    assert_eq!(l.reason, "无法定位，转区指挥中心兜底");
    // A point outside every boundary falls through to the rules, and says so.
    let far = Some(Wgs84::new(121.47, 31.23));
    let l = j.locate(far, "江苏路");
    assert_eq!(l.method, LocateMethod::RoadRule);
    assert!(l.reason.starts_with("坐标不在任何街镇边界内；"), "{}", l.reason);
    let l = j.locate(far, "");
    assert_eq!(l.method, LocateMethod::Fallback);
    assert_eq!(l.reason, "坐标不在任何街镇边界内；无法定位，转区指挥中心兜底");
}

#[test]
fn a_point_that_contradicts_the_address_is_flagged() {
    let j = Jurisdiction::demo();
    let huayang = j
        .rules()
        .compounds
        .iter()
        .find(|c| c.name == "华阳小区")
        .unwrap()
        .point()
        .unwrap();
    let l = j.locate(Some(huayang), "天山二村18号302群租");
    assert_eq!(l.method, LocateMethod::Polygon);
    assert_eq!(l.street_code.as_deref(), Some("310105001"));
    assert!(l.needs_review);
    assert_eq!(l.candidates, vec!["310105006".to_string()]);
    assert!(l.reason.contains("请核实"), "{}", l.reason);
}

#[test]
fn grid_boundaries_give_the_grid() {
    let streets = parse_boundaries(DEMO_BOUNDARIES_GEOJSON, None).unwrap();
    // A made-up grid: a small square around 华阳小区 inside 华阳路街道, with a hole.
    let grid = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
      "properties":{"code":"31010500100101","name":"华一居委第1网格"},
      "geometry":{"type":"Polygon","coordinates":[
        [[121.413,31.212],[121.417,31.212],[121.417,31.216],[121.413,31.216]],
        [[121.4145,31.2135],[121.4148,31.2135],[121.4148,31.2138],[121.4145,31.2138],[121.4145,31.2135]]]}}]}"#;
    let grids = parse_boundaries(grid, None).unwrap();
    assert_eq!(grids[0].level, BoundaryLevel::Grid);
    assert_eq!(grids[0].street_code.as_deref(), Some("310105001"));
    let rules = AddressRules::from_toml(DEMO_DATASET_TOML).unwrap();
    let j = Jurisdiction::new(streets.into_iter().chain(grids).collect(), rules);
    let l = j.locate(Some(Wgs84::new(121.4150, 31.2140)), "");
    assert_eq!(l.grid_code.as_deref(), Some("31010500100101"));
    assert!(l.reason.ends_with("，属华一居委第1网格"), "{}", l.reason);
    let in_hole = j.locate(Some(Wgs84::new(121.41465, 31.21365)), "");
    assert_eq!(in_hole.street_code.as_deref(), Some("310105001"));
    assert_eq!(in_hole.grid_code, None);
}

#[test]
fn multipolygons_and_bad_geojson() {
    let multi = r#"{"type":"Feature","properties":{"code":"310105999","name":"测试镇"},
      "geometry":{"type":"MultiPolygon","coordinates":[
        [[[0,0],[1,0],[1,1],[0,1],[0,0]]],
        [[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}}"#;
    let b = parse_boundaries(multi, None).unwrap();
    assert!(b[0].area.contains(Wgs84::new(5.5, 5.5)));
    assert!(b[0].area.contains(Wgs84::new(0.5, 0.5)));
    assert!(!b[0].area.contains(Wgs84::new(3.0, 3.0)));

    let line = r#"{"type":"Feature","properties":{"code":"310105999","name":"测试"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}"#;
    let e = parse_geojson(line).unwrap_err();
    assert!(e.to_string().contains("不支持的几何类型LineString"), "{e}");
    let bad = r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,0]]]}}"#;
    assert!(parse_geojson(bad).unwrap_err().to_string().contains("超出经纬度范围"));
    let no_code = r#"{"type":"Feature","properties":{"name":"无代码"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#;
    assert!(
        parse_boundaries(no_code, None)
            .unwrap_err()
            .to_string()
            .contains("code和name")
    );
    assert!(
        parse_geojson("{")
            .unwrap_err()
            .to_string()
            .starts_with("GeoJSON格式错误")
    );
}

#[test]
fn place_keys_identify_the_same_compound_by_name_or_lane() {
    let rules = AddressRules::from_toml(DEMO_DATASET_TOML).unwrap();
    let a = rules.place_key("新泾五村38号601装修没登记");
    let b = rules.place_key("剑河路599弄38号601装修未办理登记");
    assert_eq!(a.as_deref(), Some("compound:cp-0044"));
    assert_eq!(a, b);
    assert_eq!(
        rules.place_key("北翟路1200号门口渣土车").as_deref(),
        Some("addr:北翟路1200号")
    );
    assert_eq!(rules.place_key("北翟路上渣土车"), None);
}

#[test]
fn address_rules_reject_unknown_streets() {
    let bad = "[[street]]\ncode = \"310105001\"\nname = \"华阳路街道\"\n[[road]]\nname = \"某某路\"\nstreet_code = \"310105777\"\n";
    let e = AddressRules::from_toml(bad).unwrap_err();
    assert!(e.to_string().contains("310105777"), "{e}");
}
