//! Who can be put on a case: the officers (执法人员) of an enforcement subject, with their
//! enforcement certificates, for the pages that open cases, assign officers and record evidence.

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::org::OrgKind;
use jingzhi_domain::role::Role;
use jingzhi_store::repo::{places, users};

/// An officer who may be assigned to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerChoice {
    pub user_id: i64,
    pub name: String,
    /// 执法证号 (`None`: no certificate on file — shown, but the two-officer gate will refuse).
    pub certificate_no: Option<String>,
    pub org_name: String,
}

impl App {
    /// The active officers and team leaders of the actor's own team (a street team), or of every
    /// team and the bureau for district users; those with a certificate first.
    pub fn officer_choices(&self, a: &Actor) -> AppResult<Vec<OfficerChoice>> {
        a.require(Resource::Case, Action::View)?;
        self.store.read(|c| {
            let orgs = places::list_orgs(c)?;
            let wanted: Vec<i64> = if a.org.kind == OrgKind::StreetTeam {
                vec![a.org.id]
            } else {
                orgs.iter()
                    .filter(|o| matches!(o.kind, OrgKind::StreetTeam | OrgKind::DistrictBureau))
                    .map(|o| o.id)
                    .collect()
            };
            let mut out: Vec<OfficerChoice> = users::list(c, Some(&wanted))?
                .into_iter()
                .filter(|u| u.active && (u.has_role(Role::Officer) || u.has_role(Role::TeamLeader)))
                .map(|u| OfficerChoice {
                    org_name: orgs
                        .iter()
                        .find(|o| o.id == u.org_id)
                        .map(|o| o.name.clone())
                        .unwrap_or_default(),
                    user_id: u.id,
                    name: u.display_name,
                    certificate_no: u.certificate_no.filter(|x| !x.trim().is_empty()),
                })
                .collect();
            out.sort_by(|x, y| {
                (x.certificate_no.is_none(), &x.org_name, &x.name).cmp(&(
                    y.certificate_no.is_none(),
                    &y.org_name,
                    &y.name,
                ))
            });
            Ok(out)
        })
    }
}
