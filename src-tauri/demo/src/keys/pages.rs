//! The page caches no report writes, as the sales platform's workers leave them: conversation
//! details (transcripts, three of them above 1 MiB), opportunity details, each rep's performance
//! page and each manager's team page. The list and dashboard pages are reports
//! (`reports/builtin.toml`) and come from precompute.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use chrono::{Datelike, Duration};
use serde_json::{json, Value as Json};

use super::random::Gen;
use super::world::{closed_between, uploads_between, win_rate, Conv, World};
use super::{iso, mean, round1, Out, TTL_30_MIN, TTL_DAY, TTL_HOUR};
use crate::words::{
    DIMENSIONS, EN_CUSTOMER_LINES, EN_EVIDENCE, EN_FINDINGS, EN_GAPS, EN_NEXT_STEPS, EN_REP_LINES,
    ZH_CUSTOMER_LINES, ZH_EVIDENCE, ZH_FINDINGS, ZH_GAPS, ZH_NEXT_STEPS, ZH_REP_LINES,
};

/// The page caches no report writes: conversation and opportunity details, each rep's
/// performance page and each manager's team page.
pub(super) fn page_caches(out: &mut Out, g: &mut Gen, w: &World) {
    conversation_details(out, g, w);
    opportunity_details(out, g, w);
    for u in w.reps() {
        // Deleted on change and rebuilt on the next read, so some are simply missing.
        if g.chance(0.7) {
            let key = format!("user:{}:analytics:repPerformance", w.users[u].id);
            out.json(
                "user:{userId}:analytics:repPerformance",
                key,
                &rep_performance(w, u),
                TTL_HOUR,
            );
        }
    }
    for m in w.managers() {
        let key = format!("manager:{}:analytics:teamPerformance", w.users[m].id);
        out.json(
            "manager:{managerId}:analytics:teamPerformance",
            key,
            &team_performance(w, m),
            TTL_HOUR,
        );
    }
}

/// The most recent analysed conversations (viewed within the 24 h TTL), plus three full-day
/// workshop recordings whose transcripts make values above 1 MiB.
fn conversation_details(out: &mut Out, g: &mut Gen, w: &World) {
    let completed: Vec<usize> = (0..w.convs.len())
        .rev()
        .filter(|&c| w.convs[c].analysis.is_some())
        .collect();
    let typical = (w.users.len() * 3 / 2).min(completed.len());
    for &c in &completed[..typical] {
        let target = g.int(50_000, 100_000) as usize;
        let detail = conversation_detail(g, w, &w.convs[c], target, None);
        out.json(
            "conversation:{id}:detail",
            format!("conversation:{}:detail", w.convs[c].id),
            &detail,
            TTL_DAY,
        );
    }
    let older = &completed[typical..];
    let mut chosen = BTreeSet::new();
    for _ in 0..3.min(older.len()) {
        let mut c = *g.pick(older);
        while chosen.contains(&c) {
            c = *g.pick(older);
        }
        chosen.insert(c);
        let target = g.int(1_150_000, 1_600_000) as usize;
        let conv = &w.convs[c];
        let title = if w.opps[conv.opp].zh {
            "三日導入工作坊（全程錄音）"
        } else {
            "Onsite workshop, full two-day recording"
        };
        let detail = conversation_detail(g, w, conv, target, Some(title));
        out.json(
            "conversation:{id}:detail",
            format!("conversation:{}:detail", conv.id),
            &detail,
            TTL_DAY,
        );
    }
}

/// A ConversationDetail whose serialized size is about `target` bytes, most of it transcript.
fn conversation_detail(
    g: &mut Gen,
    w: &World,
    c: &Conv,
    target: usize,
    title: Option<&str>,
) -> Json {
    let opp = &w.opps[c.opp];
    let zh = opp.zh;
    let rep = w.users[c.owner].name.as_str();
    let customer = opp
        .contact
        .as_ref()
        .map_or(if zh { "客戶" } else { "Customer" }, |c| c.name.as_str());
    let (rep_lines, customer_lines) = if zh {
        (&ZH_REP_LINES, &ZH_CUSTOMER_LINES)
    } else {
        (&EN_REP_LINES, &EN_CUSTOMER_LINES)
    };
    // Speaking rate in characters per second, to derive plausible start times.
    let rate = if zh { 4.2 } else { 14.0 };

    let mut segments = Vec::new();
    let mut full_text = String::new();
    let mut t = g.float(0.5, 4.0);
    let mut size = 0;
    let mut rep_speaks = true;
    while size < target {
        let lines = if rep_speaks {
            rep_lines
        } else {
            customer_lines
        };
        let text: Vec<String> = (0..g.int(1, 3))
            .map(|_| g.pick(lines.as_slice()).replace("{company}", opp.company))
            .collect();
        let text = text.join(if zh { "" } else { " " });
        let speaker = if rep_speaks { rep } else { customer };
        size += text.len() * 2 + speaker.len() + 48;
        full_text.push_str(&text);
        full_text.push('\n');
        segments.push(json!({ "speaker": speaker, "text": text, "startTime": round1(t) }));
        t += text.chars().count() as f64 / rate + g.float(0.3, 2.5);
        if g.chance(0.8) {
            rep_speaks = !rep_speaks;
        }
    }

    let analysis = c.analysis.as_ref();
    let (evidence, gaps) = if zh {
        (&ZH_EVIDENCE, &ZH_GAPS)
    } else {
        (&EN_EVIDENCE, &EN_GAPS)
    };
    let dimensions: serde_json::Map<String, Json> = DIMENSIONS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let score = analysis.map_or(1, |a| a.dims[i]);
            let dim = json!({
                "score": score,
                "status": match score { 4.. => "strong", 3 => "partial", _ => "weak" },
                "evidence": [evidence[i]],
                "gaps": if score >= 4 { Vec::new() } else { vec![gaps[i]] },
            });
            ((*name).to_owned(), dim)
        })
        .collect();
    let findings = if zh { &ZH_FINDINGS } else { &EN_FINDINGS };
    let steps = if zh { &ZH_NEXT_STEPS } else { &EN_NEXT_STEPS };
    let key_findings: Vec<&str> = (0..g.int(3, 5))
        .map(|i| findings[(i as usize + c.created_at.day() as usize) % 6])
        .collect();
    let next_steps: Vec<Json> = (0..g.int(2, 4))
        .map(|i| json!({ "action": steps[(i as usize + c.case_number.len()) % 5], "priority": (["high", "medium", "low"][i as usize % 3]) }))
        .collect();

    let mut detail = json!({
        "id": c.id,
        "caseNumber": c.case_number,
        "status": c.status,
        "opportunityCompanyName": opp.company,
        "transcript": { "fullText": full_text, "segments": segments },
        "meddicAnalysis": {
            "overallScore": analysis.map_or(0, |a| a.overall),
            "dimensions": dimensions,
            "keyFindings": key_findings,
            "nextSteps": next_steps,
        },
        "audioUrl": format!(
            "https://recordings.sales-ai.example/audio/{}/{}.m4a",
            c.created_at.format("%Y/%m"),
            c.case_number
        ),
        "duration": t.ceil() as u64,
        "createdAt": iso(c.created_at),
    });
    if let (Some(title), Some(map)) = (title, detail.as_object_mut()) {
        map.insert("title".into(), json!(title));
    }
    detail
}

/// Opportunities looked at in the last half hour: mostly the recently active ones.
fn opportunity_details(out: &mut Out, g: &mut Gen, w: &World) {
    let mut by_activity: Vec<usize> = (0..w.opps.len()).collect();
    by_activity.sort_by(|&a, &b| {
        w.opps[b]
            .updated_at
            .cmp(&w.opps[a].updated_at)
            .then(a.cmp(&b))
    });
    for &o in by_activity.iter().take(w.users.len() * 5 / 2) {
        if !g.chance(0.8) {
            continue;
        }
        let opp = &w.opps[o];
        let latest = opp
            .convs
            .iter()
            .rev()
            .find_map(|&c| w.convs[c].analysis.as_ref());
        let detail = json!({
            "id": opp.id,
            "customerNumber": opp.customer_number,
            "companyName": opp.company,
            "contactInfo": {
                "name": opp.contact.as_ref().map(|c| c.name.clone()),
                "email": opp.contact.as_ref().and_then(|c| c.email.clone()),
                "phone": opp.contact.as_ref().and_then(|c| c.phone.clone()),
            },
            "status": opp.status,
            "conversations": opp.convs.iter().rev().map(|&c| {
                let c = &w.convs[c];
                json!({
                    "id": c.id,
                    "caseNumber": c.case_number,
                    "status": c.status,
                    "meddicScore": c.analysis.as_ref().map(|a| a.overall),
                    "createdAt": iso(c.created_at),
                })
            }).collect::<Vec<_>>(),
            "latestAnalysis": latest.map(|a| json!({ "overallScore": a.overall, "status": a.status() })),
        });
        out.json(
            "opportunity:{id}:detail",
            format!("opportunity:{}:detail", opp.id),
            &detail,
            TTL_30_MIN,
        );
    }
}

/// Mean 1-5 score per MEDDIC dimension over the analyses of `owners`.
fn dimension_averages(w: &World, owners: &[usize]) -> Vec<(&'static str, Option<f64>)> {
    DIMENSIONS
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let scores = w
                .convs
                .iter()
                .filter(|c| owners.contains(&c.owner))
                .filter_map(|c| c.analysis.as_ref())
                .map(|a| f64::from(a.dims[i]));
            (*d, mean(scores))
        })
        .collect()
}

fn rep_performance(w: &World, r: usize) -> Json {
    let user = &w.users[r];
    let from = w.now - Duration::days(30);
    let peers: Vec<usize> = w.reps().filter(|&p| w.users[p].dept == user.dept).collect();
    let (conversations, avg) = uploads_between(w, Some(r), from, w.now);
    let (_, previous) = uploads_between(w, Some(r), from - Duration::days(30), from);
    let mine = dimension_averages(w, &[r]);
    let team = dimension_averages(w, &peers);
    let dimensions: serde_json::Map<String, Json> = mine
        .iter()
        .zip(&team)
        .map(|((d, m), (_, t))| ((*d).to_owned(), json!({ "average": m, "teamAverage": t })))
        .collect();
    let progress: Vec<Json> = (0..8)
        .rev()
        .map(|k| {
            let start = w.week_start - Duration::days(7 * k);
            let (n, avg) = uploads_between(w, Some(r), start, start + Duration::days(7));
            json!({ "weekStart": start.format("%Y-%m-%d").to_string(), "conversations": n, "averageScore": avg })
        })
        .collect();
    let zh = user.name.chars().next().is_some_and(|c| !c.is_ascii());
    let coaching: Vec<Json> = mine
        .iter()
        .filter(|(_, v)| v.is_some_and(|v| v < 3.0))
        .take(3)
        .map(|(d, _)| {
            let i = DIMENSIONS.iter().position(|x| x == d).unwrap_or(0);
            json!({ "dimension": d, "suggestion": if zh { ZH_GAPS[i] } else { EN_GAPS[i] } })
        })
        .collect();
    let mut ranked: Vec<(usize, usize)> = peers
        .iter()
        .map(|&p| (uploads_between(w, Some(p), from, w.now).0, p))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let rank = ranked
        .iter()
        .position(|(_, p)| *p == r)
        .map_or(0, |i| i + 1);
    json!({
        "userId": user.id,
        "userName": user.name,
        "period": { "from": iso(from), "to": iso(w.now) },
        "summary": {
            "totalConversations": conversations,
            "averageScore": avg,
            "scoreChange": match (avg, previous) { (Some(a), Some(p)) => Some(round1(a - p)), _ => None },
            "rank": rank,
            "teamSize": peers.len(),
        },
        "dimensions": dimensions,
        "progress": progress,
        "coachingSuggestions": coaching,
    })
}

fn team_performance(w: &World, m: usize) -> Json {
    let manager = &w.users[m];
    let members = w.scope(m);
    let from = w.now - Duration::days(30);
    let mut rows: Vec<(usize, Json)> = members
        .iter()
        .map(|&r| {
            let (n, avg) = uploads_between(w, Some(r), from, w.now);
            let (_, previous) = uploads_between(w, Some(r), from - Duration::days(30), from);
            let trend = match (avg, previous) {
                (Some(a), Some(p)) if a > p + 2.0 => "up",
                (Some(a), Some(p)) if a < p - 2.0 => "down",
                _ => "flat",
            };
            let won = closed_between(w, Some(r), "won", from).len();
            let lost = closed_between(w, Some(r), "lost", from).len();
            let row = json!({
                "userId": w.users[r].id,
                "userName": w.users[r].name,
                "conversations": n,
                "averageScore": avg,
                "wonCount": won,
                "lostCount": lost,
                "trend": trend,
            });
            (n, row)
        })
        .collect();
    rows.sort_by_key(|r| Reverse(r.0));
    let total: usize = members
        .iter()
        .map(|&r| uploads_between(w, Some(r), from, w.now).0)
        .sum();
    let team_avg = mean(
        w.convs
            .iter()
            .filter(|c| members.contains(&c.owner) && c.created_at >= from)
            .filter_map(|c| c.analysis.as_ref())
            .map(|a| f64::from(a.overall)),
    );
    let won: usize = members
        .iter()
        .map(|&r| closed_between(w, Some(r), "won", from).len())
        .sum();
    let lost: usize = members
        .iter()
        .map(|&r| closed_between(w, Some(r), "lost", from).len())
        .sum();
    let needs_attention: Vec<Json> = members
        .iter()
        .filter(|&&r| uploads_between(w, Some(r), w.now - Duration::days(14), w.now).0 == 0)
        .map(|&r| json!({ "userId": w.users[r].id, "userName": w.users[r].name, "reason": "no uploads in 14 days" }))
        .collect();
    json!({
        "managerId": manager.id,
        "managerName": manager.name,
        "dept": manager.dept,
        "period": { "from": iso(from), "to": iso(w.now) },
        "teamSummary": {
            "members": members.len(),
            "totalConversations": total,
            "averageScore": team_avg,
            "wonCount": won,
            "lostCount": lost,
            "winRate": win_rate(won, lost),
        },
        "members": rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
        "needsAttention": needs_attention,
    })
}
