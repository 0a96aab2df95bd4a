//! The product's modules (`product-map.md` §3) as the navigation knows them: which roles see
//! each, whether it is built, and what it will hold. Modules not built yet show what is coming,
//! never fake data.

use jingzhi_domain::role::Role::{self, *};

pub struct Module {
    pub key: &'static str,
    pub name: &'static str,
    /// Where the module lives when built.
    pub href: &'static str,
    /// The seed lines it serves (2026年工作要点).
    pub seed: &'static str,
    pub summary: &'static str,
    /// What it will hold (shown on the "coming" page).
    pub holds: &'static [&'static str],
    pub built: bool,
    pub roles: &'static [Role],
}

const ENFORCEMENT: &[Role] = &[
    BureauLeader,
    LegalReviewer,
    Inspector,
    Dispatcher,
    TeamLeader,
    Officer,
    Admin,
];

pub const MODULES: &[Module] = &[
    Module {
        key: "clues",
        name: "线索受理与派单",
        href: "/clues",
        seed: "三(二)、一(一)",
        summary: "12345工单、物业报告、网格上报、巡查发现、部门移送：分类、定位、查重、受理、派单、核查、回复。",
        holds: &[
            "12345工单导入导出与限时办理",
            "物业企业、网格员手机上报",
            "智能分类与辖区定位",
            "重复投诉识别",
            "受理—派单—签收—核查—处置—回复闭环",
            "Open311 GeoReport v2 接口",
        ],
        built: true,
        roles: &[
            BureauLeader,
            Inspector,
            Dispatcher,
            TeamLeader,
            Officer,
            PropertyStaff,
            DepartmentLiaison,
            GridWorker,
            Admin,
        ],
    },
    Module {
        key: "cases",
        name: "案件办理",
        href: "/cases",
        seed: "三(一)、三(四)",
        summary: "行政处罚普通程序与简易程序：立案、调查取证、审核、法制审核、告知、听证、决定、送达、执行、结案、归档。",
        holds: &[
            "程序状态机与法定关口",
            "证据与全过程记录",
            "文书生成与固化",
            "办案期限与三超期预警",
            "处罚决定公示",
        ],
        built: true,
        roles: ENFORCEMENT,
    },
    Module {
        key: "clocks",
        name: "工作日历与法定期限",
        href: "/clocks",
        seed: "三(四)",
        summary: "工作日历（节假日与调休）与期限规则：每个期限可计算、可解释、可审计。",
        holds: &[
            "年度工作日历维护与导入",
            "期限规则（单位、起算、顺延、中止、延长、法律依据）",
            "期限计算与中文解释",
            "即将超期与已超期提醒",
        ],
        built: true,
        roles: &[
            BureauLeader,
            LegalReviewer,
            Inspector,
            Dispatcher,
            TeamLeader,
            Officer,
            PropertyStaff,
            DepartmentLiaison,
            GridWorker,
            Admin,
        ],
    },
    Module {
        key: "illegal-construction",
        name: "违法建筑治理",
        href: "/modules/illegal-construction",
        seed: "一(二)",
        summary: "违建台账（新增/存量、类型、面积、隐患）、24小时/2小时到场、拆违计划与目标、新增违建动态清零、四方责任。",
        holds: &[
            "违建台账与照片时间线",
            "拆违计划与年度目标",
            "别墅区私搭乱建专项",
            "天井违建试点",
            "存量违建安全排查",
        ],
        built: false,
        roles: ENFORCEMENT,
    },
    Module {
        key: "renovation",
        name: "装修全过程管理",
        href: "/modules/renovation",
        seed: "一(一)",
        summary: "物业企业装修登记、巡查、劝阻、24小时内报告，线索快速移送执法。",
        holds: &[
            "装修登记与告知",
            "物业巡查记录",
            "劝阻无效24小时报告",
            "快速移送与协同处置",
        ],
        built: false,
        roles: &[
            BureauLeader,
            Inspector,
            Dispatcher,
            TeamLeader,
            Officer,
            PropertyStaff,
            Admin,
        ],
    },
    Module {
        key: "campaigns",
        name: "专项行动",
        href: "/modules/campaigns",
        seed: "二",
        summary: "油烟、扬尘、噪声、建筑垃圾一案三查、垃圾分类、燃气、广告招牌、群租、电动自行车、破坏主体结构、街面秩序等专项整治。",
        holds: &["专项范围、期限、事项与目标", "检查与结果记录", "进度看板"],
        built: false,
        roles: ENFORCEMENT,
    },
    Module {
        key: "linkage",
        name: "管执联动",
        href: "/modules/linkage",
        seed: "三(三)",
        summary: "与管理部门双向移送线索、联合检查、执法建议书及答复期限。",
        holds: &["线索移出与移入闭环", "联合检查", "执法建议书与答复跟踪"],
        built: false,
        roles: &[
            BureauLeader,
            Inspector,
            Dispatcher,
            TeamLeader,
            Officer,
            DepartmentLiaison,
            Admin,
        ],
    },
    Module {
        key: "supervision",
        name: "执法监督",
        href: "/modules/supervision",
        seed: "三(一)、三(四)",
        summary: "案卷评查（随机抽查、交叉互评）、三超期两随意监测、重复投诉与积案、问题发现—整改销号—长效防治闭环。",
        holds: &["案卷评查评分表", "交叉互评分配", "自动案卷检查", "整改闭环"],
        built: false,
        roles: &[BureauLeader, LegalReviewer, Inspector, TeamLeader, Admin],
    },
    Module {
        key: "dashboards",
        name: "统计分析",
        href: "/modules/dashboards",
        seed: "全部",
        summary: "按街镇、事项、来源、状态统计；超期；目标完成；地图；月度报表与Excel导出。",
        holds: &[
            "街镇与事项统计",
            "超期与目标看板",
            "服务端绘制的地图与图表",
            "月度统计报表",
        ],
        built: false,
        roles: &[BureauLeader, Inspector, TeamLeader, Admin],
    },
    Module {
        key: "team",
        name: "队伍建设",
        href: "/modules/team",
        seed: "四",
        summary: "菜单式选学、学时、案例教学、模拟听证、导师帮带、轮岗跟踪、青年人才库、共性问题案例汇编。",
        holds: &["培训与学时", "导师帮带", "轮岗与跟踪评估", "共性问题案例汇编"],
        built: false,
        roles: &[BureauLeader, LegalReviewer, Inspector, TeamLeader, Officer, Admin],
    },
    Module {
        key: "party",
        name: "当事人服务",
        href: "/modules/party",
        seed: "三(一)",
        summary: "当事人在线查看告知书与决定书，提交陈述申辩或听证申请。",
        holds: &["文书查阅", "在线陈述申辩", "听证申请"],
        built: false,
        roles: &[BureauLeader, LegalReviewer, TeamLeader, Officer, Admin],
    },
    Module {
        key: "admin",
        name: "系统管理",
        href: "/admin",
        seed: "—",
        summary: "组织机构、小区、用户与角色、接口密钥、审计日志。",
        holds: &[],
        built: true,
        roles: &[Admin, BureauLeader, Inspector, TeamLeader],
    },
];

pub fn visible_to(roles: &[Role]) -> Vec<&'static Module> {
    MODULES
        .iter()
        .filter(|m| m.roles.iter().any(|r| roles.contains(r)))
        .collect()
}

pub fn find(key: &str) -> Option<&'static Module> {
    MODULES.iter().find(|m| m.key == key)
}
