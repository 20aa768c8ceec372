//! The synthetic sales platform the hand-made key families are computed from: users (admins,
//! managers, reps), opportunities, uploaded conversations with their MEDDIC analyses, and voice
//! calls, all derived from a seed and a clock. It serves only the families no report writes
//! (detail pages, performance pages, voice-AI caches); report payloads come from precompute.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, Utc};
use rand::seq::SliceRandom;

use super::random::Gen;
use super::{mean, midnight, round1, round2};
use crate::source::DEPARTMENTS;
use crate::words::{EN_COMPANIES, EN_FIRST, EN_LAST, INTENTS, ZH_COMPANIES, ZH_GIVEN, ZH_SURNAMES};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Admin,
    Manager,
    Rep,
}

pub(super) struct User {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) dept: &'static str,
    /// The rep's typical MEDDIC score.
    pub(super) skill: f64,
    /// Share of uploads and calls (reps only): a few reps do most of the work.
    pub(super) weight: f64,
}

pub(super) struct Contact {
    pub(super) name: String,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
}

pub(super) struct Opp {
    pub(super) id: String,
    pub(super) customer_number: String,
    pub(super) company: &'static str,
    pub(super) zh: bool,
    pub(super) contact: Option<Contact>,
    pub(super) owner: usize,
    pub(super) status: &'static str,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) closed_at: Option<DateTime<Utc>>,
    pub(super) amount: u64,
    /// Indices into `World::convs`, oldest first.
    pub(super) convs: Vec<usize>,
}

pub(super) struct Analysis {
    pub(super) overall: u32,
    /// 1-5 per entry of [`crate::words::DIMENSIONS`].
    pub(super) dims: [u8; 6],
}

impl Analysis {
    pub(super) fn status(&self) -> &'static str {
        match self.overall {
            75.. => "Strong",
            55..=74 => "Medium",
            35..=54 => "Weak",
            _ => "At Risk",
        }
    }
}

pub(super) struct Conv {
    pub(super) id: String,
    pub(super) case_number: String,
    pub(super) opp: usize,
    pub(super) owner: usize,
    pub(super) status: &'static str,
    pub(super) created_at: DateTime<Utc>,
    pub(super) analysis: Option<Analysis>,
}

pub(super) struct Call {
    pub(super) id: String,
    pub(super) user: usize,
    pub(super) direction: &'static str,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) status: &'static str,
    pub(super) duration: u32,
    pub(super) started_at: DateTime<Utc>,
    pub(super) intent: Option<usize>,
    pub(super) confidence: f64,
    pub(super) enriched: bool,
}

pub(super) struct World {
    pub(super) now: DateTime<Utc>,
    /// Monday 00:00 UTC of the current week.
    pub(super) week_start: DateTime<Utc>,
    pub(super) users: Vec<User>,
    pub(super) opps: Vec<Opp>,
    /// Oldest first.
    pub(super) convs: Vec<Conv>,
    /// Oldest first.
    pub(super) calls: Vec<Call>,
}

pub(super) fn person(g: &mut Gen, zh: bool) -> (String, String) {
    if zh {
        let (surname, roman) = *g.pick(&ZH_SURNAMES);
        let given = *g.pick(&ZH_GIVEN);
        (
            format!("{surname}{given}"),
            format!("{roman}{}", g.int(1, 99)),
        )
    } else {
        let first = *g.pick(&EN_FIRST);
        let last = *g.pick(&EN_LAST);
        (
            format!("{first} {last}"),
            format!("{}.{}", first.to_lowercase(), last.to_lowercase()),
        )
    }
}

pub(super) fn phone(g: &mut Gen, zh: bool) -> String {
    if zh {
        format!(
            "09{:02}-{:03}-{:03}",
            g.int(10, 89),
            g.int(0, 999),
            g.int(0, 999)
        )
    } else {
        // 555-0100..0199 is reserved for fiction.
        format!(
            "+1 {}-555-01{:02}",
            g.pick(&["415", "512", "206", "646"]),
            g.int(0, 99)
        )
    }
}

pub(super) fn e164(g: &mut Gen, zh: bool) -> String {
    if zh {
        format!("+8869{:08}", g.int(10_000_000, 89_999_999))
    } else {
        format!(
            "+1{}55501{:02}",
            g.pick(&["415", "512", "206", "646"]),
            g.int(0, 99)
        )
    }
}

impl World {
    pub(super) fn generate(g: &mut Gen, n: usize, now: DateTime<Utc>) -> World {
        let today = midnight(now.date_naive());
        let week_start = today - Duration::days(i64::from(now.weekday().num_days_from_monday()));
        let mut world = World {
            now,
            week_start,
            users: Vec::new(),
            opps: Vec::new(),
            convs: Vec::new(),
            calls: Vec::new(),
        };
        world.users = gen_users(g, n);
        world.gen_pipeline(g);
        world.gen_calls(g);
        world
    }

    pub(super) fn reps(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.users.len()).filter(|&u| self.users[u].role == Role::Rep)
    }

    pub(super) fn managers(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.users.len()).filter(|&u| self.users[u].role == Role::Manager)
    }

    /// Whose data user `u` sees: a rep their own, a manager their department's reps, an admin
    /// every rep (the page caches' permission rules, docs/domain.md "The source systems").
    pub(super) fn scope(&self, u: usize) -> Vec<usize> {
        let me = &self.users[u];
        match me.role {
            Role::Rep => vec![u],
            Role::Manager => self
                .reps()
                .filter(|&r| self.users[r].dept == me.dept)
                .collect(),
            Role::Admin => self.reps().collect(),
        }
    }

    pub(super) fn gen_pipeline(&mut self, g: &mut Gen) {
        let now = self.now;
        let reps: Vec<usize> = self.reps().collect();
        let weights: Vec<f64> = reps.iter().map(|&r| self.users[r].weight).collect();

        // Uploads over the last 95 days (enough for the current and two previous months),
        // denser towards now.
        let mut uploads: Vec<(DateTime<Utc>, usize)> = (0..reps.len() * 17)
            .map(|_| {
                let owner = reps[g.weighted(&weights)];
                let age = 95.0 * 86_400.0 * g.float(0.0, 1.0).powf(1.35);
                (now - Duration::seconds(age as i64 + 60), owner)
            })
            .collect();
        uploads.sort();

        // Opportunities: about one per four uploads of each rep, at least one per rep.
        let mut by_rep: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &r in &reps {
            let uploads_of_rep = uploads.iter().filter(|(_, o)| *o == r).count();
            let count = (uploads_of_rep / 4).max(1) + g.index(3);
            for _ in 0..count {
                let zh = g.chance(0.7);
                let (company, domain) = if zh {
                    *g.pick(&ZH_COMPANIES)
                } else {
                    *g.pick(&EN_COMPANIES)
                };
                let contact = g.chance(0.9).then(|| {
                    let (name, local) = person(g, zh);
                    Contact {
                        name,
                        email: g.chance(0.85).then(|| format!("{local}@{domain}")),
                        phone: g.chance(0.7).then(|| phone(g, zh)),
                    }
                });
                let created_at = g.secs_ago(now, 3 * 86_400, 130 * 86_400);
                by_rep.entry(r).or_default().push(self.opps.len());
                self.opps.push(Opp {
                    id: g.uuid(),
                    customer_number: String::new(),
                    company,
                    zh,
                    contact,
                    owner: r,
                    status: "new",
                    created_at,
                    updated_at: created_at,
                    closed_at: None,
                    amount: 0,
                    convs: Vec::new(),
                });
            }
        }

        // Conversations; ids were numeric before the platform moved to UUIDs 45 days ago.
        let mut month_seq: BTreeMap<String, u32> = BTreeMap::new();
        for (i, (created_at, owner)) in uploads.into_iter().enumerate() {
            // Every rep has at least one opportunity.
            let candidates = by_rep.get(&owner).map_or(&[][..], Vec::as_slice);
            let opp = if candidates.is_empty() {
                0
            } else {
                *g.pick(candidates)
            };
            let month = created_at.format("%Y%m").to_string();
            let seq = month_seq.entry(month.clone()).or_default();
            *seq += 1;
            let case_number = format!("{month}-{seq:04}");
            let id = if created_at < now - Duration::days(45) {
                (48_210 + i).to_string()
            } else {
                g.uuid()
            };
            let age = now - created_at;
            let status = if age < Duration::minutes(20) {
                "pending"
            } else if age < Duration::hours(2) {
                if g.chance(0.5) {
                    "processing"
                } else {
                    "completed"
                }
            } else if age < Duration::hours(72) && g.chance(0.08) {
                "processing" // stuck
            } else if g.chance(0.065) {
                "failed"
            } else {
                "completed"
            };
            let analysis = (status == "completed").then(|| {
                let skill = self.users[owner].skill;
                let overall =
                    (skill + g.float(-14.0, 14.0) + g.float(-8.0, 8.0)).clamp(8.0, 98.0) as u32;
                let mut dims = [0u8; 6];
                for d in &mut dims {
                    *d = (f64::from(overall) / 20.0 + g.float(-1.2, 1.2))
                        .round()
                        .clamp(1.0, 5.0) as u8;
                }
                Analysis { overall, dims }
            });
            if let Some(o) = self.opps.get_mut(opp) {
                o.convs.push(self.convs.len());
            }
            self.convs.push(Conv {
                id,
                case_number,
                opp,
                owner,
                status,
                created_at,
                analysis,
            });
        }

        // Opportunity stages follow the conversations; some are closed won or lost.
        for (i, opp) in self.opps.iter_mut().enumerate() {
            let first = opp.convs.first().map(|&c| self.convs[c].created_at);
            let last = opp.convs.last().map(|&c| self.convs[c].created_at);
            if let Some(first) = first {
                let lead = Duration::hours(g.int(2, 240));
                opp.created_at = opp.created_at.min(first - lead);
            }
            let last_activity = last.unwrap_or(opp.created_at);
            opp.customer_number = format!("C{}{:04}", opp.created_at.format("%y%m"), i + 1);
            opp.status = match opp.convs.len() {
                0 => "new",
                1 => *g.pick(&["contacted", "qualified"]),
                2 => *g.pick(&["qualified", "proposal"]),
                _ => *g.pick(&["proposal", "negotiation"]),
            };
            opp.amount = if opp.zh {
                g.int(30, 500) as u64 * 10_000
            } else {
                g.int(12, 250) as u64 * 1_000
            };
            opp.updated_at = last_activity;
            let can_close = !opp.convs.is_empty() && last_activity < now - Duration::hours(6);
            if can_close && g.chance(0.32) {
                // Closed 2 h to 10 days after the last conversation, and at least an hour ago.
                let room = (now - Duration::hours(1) - last_activity).num_seconds();
                let closed = last_activity + Duration::seconds(g.int(7200, room.min(240 * 3600)));
                opp.closed_at = Some(closed);
                opp.updated_at = closed;
                if g.chance(0.55) {
                    opp.status = "won";
                } else {
                    opp.status = "lost";
                }
            }
        }
    }

    pub(super) fn gen_calls(&mut self, g: &mut Gen) {
        let reps: Vec<usize> = self.reps().collect();
        let weights: Vec<f64> = reps.iter().map(|&r| self.users[r].weight).collect();
        for _ in 0..reps.len() * 12 {
            let user = reps[g.weighted(&weights)];
            let zh = g.chance(0.7);
            let inbound = g.chance(0.55);
            let ours = format!("+8862{:08}", 27_710_000 + g.int(0, 99));
            let theirs = e164(g, zh);
            let status = *g.pick(&[
                "answered",
                "answered",
                "answered",
                "answered",
                "answered",
                "no-answer",
                "voicemail",
                "busy",
            ]);
            let duration = match status {
                "answered" => g.int(25, 900) as u32,
                "voicemail" => g.int(12, 60) as u32,
                _ => 0,
            };
            let intent = (status == "answered" && g.chance(0.85)).then(|| g.index(INTENTS.len()));
            self.calls.push(Call {
                id: format!("CA{}", g.hex(32)),
                user,
                direction: if inbound { "inbound" } else { "outbound" },
                from: if inbound {
                    theirs.clone()
                } else {
                    ours.clone()
                },
                to: if inbound { ours } else { theirs },
                status,
                duration,
                started_at: g.secs_ago(self.now, 300, 14 * 86_400),
                intent,
                confidence: round2(g.float(0.55, 0.99)),
                enriched: g.chance(0.55),
            });
        }
        self.calls.sort_by(|a, b| {
            a.started_at
                .cmp(&b.started_at)
                .then_with(|| a.id.cmp(&b.id))
        });
    }
}

pub(super) fn gen_users(g: &mut Gen, n: usize) -> Vec<User> {
    let admins = (n / 20).max(1);
    let managers = if n >= 12 { DEPARTMENTS.len() } else { 1 };
    let mut names = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let role = if i < admins {
            Role::Admin
        } else if i < admins + managers {
            Role::Manager
        } else {
            Role::Rep
        };
        let zh = g.chance(0.62);
        let mut name = person(g, zh).0;
        for attempt in 0.. {
            if names.insert(name.clone()) {
                break;
            }
            name = if attempt < 20 {
                person(g, zh).0
            } else {
                format!("{} {}", person(g, zh).0, attempt)
            };
        }
        let mut id = String::new();
        while id.is_empty() || !ids.insert(id.clone()) {
            id = if g.chance(0.35) {
                g.uuid()
            } else {
                format!("u_{}", g.hex(8))
            };
        }
        let dept = match role {
            Role::Admin => "default",
            Role::Manager => DEPARTMENTS[(i - admins) % DEPARTMENTS.len()].0,
            Role::Rep => DEPARTMENTS[g.index(managers)].0,
        };
        users.push(User {
            id,
            name,
            role,
            dept,
            skill: g.float(40.0, 82.0),
            weight: 0.0,
        });
    }
    // A Zipf-like share of the work: rank 1 uploads about twenty times as much as the last.
    let mut reps: Vec<usize> = (0..n).filter(|&u| users[u].role == Role::Rep).collect();
    reps.shuffle(&mut g.0);
    for (rank, &r) in reps.iter().enumerate() {
        users[r].weight = 0.04 + 1.0 / (rank as f64 + 1.0).powf(1.1);
    }
    users
}

pub(super) fn uploads_between(
    w: &World,
    owner: Option<usize>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (usize, Option<f64>) {
    let convs: Vec<&Conv> = w
        .convs
        .iter()
        .filter(|c| owner.is_none_or(|o| c.owner == o) && c.created_at >= from && c.created_at < to)
        .collect();
    let avg = mean(
        convs
            .iter()
            .filter_map(|c| c.analysis.as_ref())
            .map(|a| f64::from(a.overall)),
    );
    (convs.len(), avg)
}

pub(super) fn closed_between<'a>(
    w: &'a World,
    owner: Option<usize>,
    status: &str,
    from: DateTime<Utc>,
) -> Vec<&'a Opp> {
    w.opps
        .iter()
        .filter(|o| {
            o.status == status
                && owner.is_none_or(|u| o.owner == u)
                && o.closed_at.is_some_and(|t| t >= from)
        })
        .collect()
}

pub(super) fn win_rate(won: usize, lost: usize) -> f64 {
    if won + lost == 0 {
        0.0
    } else {
        round1(won as f64 * 100.0 / (won + lost) as f64)
    }
}
