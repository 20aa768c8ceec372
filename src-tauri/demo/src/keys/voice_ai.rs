//! The voice-AI caches: each rep's call pages, single calls with their webhook, intent analyses
//! and summaries, caller enrichment, and waveform previews (binary values, not UTF-8).

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{json, Value as Json};

use super::random::Gen;
use super::world::{person, Call, World};
use super::{iso, mean, round2, Out, TTL_10_MIN, TTL_2_MIN, TTL_30_MIN, TTL_5_MIN};
use crate::words::{CARRIERS, CITIES, INTENTS, INTENT_SUMMARIES};

fn call_item(w: &World, c: &Call) -> Json {
    json!({
        "id": c.id,
        "userId": w.users[c.user].id,
        "direction": c.direction,
        "fromNumber": c.from,
        "toNumber": c.to,
        "status": c.status,
        "duration": c.duration,
        "startedAt": iso(c.started_at),
        "recordingUrl": (c.duration > 0).then(|| format!("https://voice.sales-ai.example/recordings/{}.wav", c.id)),
        "intent": c.intent.map(|i| INTENTS[i]),
    })
}

/// Every voice-AI family: call pages, calls, intent analyses and summaries, caller enrichment
/// and three binary waveform previews.
pub(super) fn voice_ai(out: &mut Out, g: &mut Gen, w: &World) {
    let mut waveforms = 0;
    for u in w.reps() {
        let user_id = &w.users[u].id;
        let calls: Vec<&Call> = w.calls.iter().rev().filter(|c| c.user == u).collect();
        if calls.is_empty() {
            continue;
        }

        // Only page sizes up to 100 are cached.
        let limit = *g.pick(&[20usize, 20, 50, 100]);
        let pages = calls.len().div_ceil(limit);
        for page in 1..=pages.min(3) {
            let items: Vec<Json> = calls
                .iter()
                .skip((page - 1) * limit)
                .take(limit)
                .map(|c| call_item(w, c))
                .collect();
            let value = json!({
                "calls": items,
                "pagination": { "page": page, "limit": limit, "total": calls.len(), "totalPages": pages, "hasMore": page < pages },
            });
            let key = format!("recordings:user:{user_id}:page:{page}:limit:{limit}");
            out.json(
                "recordings:user:{userId}:page:{page}:limit:{limit}",
                key,
                &value,
                TTL_5_MIN,
            );
        }

        for c in &calls {
            if g.chance(0.75) {
                let mut value = call_item(w, c);
                if let Some(map) = value.as_object_mut() {
                    map.insert(
                        "webhook".into(),
                        json!({
                            "provider": "twilio",
                            "eventId": format!("EV{}", g.hex(32)),
                            "receivedAt": iso(c.started_at + Duration::seconds(i64::from(c.duration) + 3)),
                        }),
                    );
                    map.insert(
                        "transcriptionStatus".into(),
                        json!(if c.duration > 20 {
                            "completed"
                        } else {
                            "skipped"
                        }),
                    );
                }
                let key = format!("recordings:user:{user_id}:call:{}", c.id);
                out.json(
                    "recordings:user:{userId}:call:{callId}",
                    key,
                    &value,
                    TTL_5_MIN,
                );
            }
            if let Some(intent) = c.intent.filter(|_| g.chance(0.8)) {
                let value = json!({
                    "callId": c.id,
                    "status": "completed",
                    "intent": INTENTS[intent],
                    "confidence": c.confidence,
                    "sentiment": match intent { 5 | 6 => "negative", 2 | 4 => "neutral", _ => "positive" },
                    "summary": INTENT_SUMMARIES[intent],
                    "keywords": INTENTS[intent].split('_').collect::<Vec<_>>(),
                    "analyzedAt": iso(c.started_at + Duration::seconds(i64::from(c.duration) + 40)),
                });
                let key = format!("intent:user:{user_id}:analysis:{}", c.id);
                out.json(
                    "intent:user:{userId}:analysis:{callId}",
                    key,
                    &value,
                    TTL_10_MIN,
                );
            }
            if c.enriched {
                let (city, region, country) = *g.pick(&CITIES);
                let number = if c.direction == "inbound" {
                    &c.from
                } else {
                    &c.to
                };
                let value = json!({
                    "callId": c.id,
                    "phoneNumber": number,
                    "callerName": if g.chance(0.6) { Some(person(g, country == "TW").0) } else { None },
                    "carrier": g.pick(&CARRIERS),
                    "lineType": g.pick(&["mobile", "mobile", "landline", "voip"]),
                    "location": { "city": city, "region": region, "country": country },
                    "spamScore": round2(g.float(0.0, 0.35)),
                    "enrichedAt": iso(c.started_at + Duration::seconds(i64::from(c.duration) + 90)),
                });
                let key = format!("enhanced:user:{user_id}:call:{}", c.id);
                out.json(
                    "enhanced:user:{userId}:call:{callId}",
                    key,
                    &value,
                    TTL_30_MIN,
                );
            }
            if waveforms < 3 && c.duration > 120 {
                waveforms += 1;
                let key = format!("recordings:user:{user_id}:call:{}:waveform", c.id);
                out.raw(
                    "recordings:user:{userId}:call:{callId}:waveform",
                    key,
                    waveform(g, c.duration),
                    Some(TTL_5_MIN),
                    None,
                );
            }
        }

        if g.chance(0.6) {
            let analysed: Vec<&&Call> = calls.iter().filter(|c| c.intent.is_some()).collect();
            let mut distribution: BTreeMap<&str, usize> = BTreeMap::new();
            for c in &analysed {
                if let Some(i) = c.intent {
                    *distribution.entry(INTENTS[i]).or_default() += 1;
                }
            }
            let value = json!({
                "calls": analysed.iter().take(20).map(|c| call_item(w, c)).collect::<Vec<_>>(),
                "stats": {
                    "totalCalls": calls.len(),
                    "answeredCalls": calls.iter().filter(|c| c.status == "answered").count(),
                    "avgConfidence": mean(analysed.iter().map(|c| c.confidence * 100.0)).map_or(0.0, |v| round2(v / 100.0)),
                    "intentDistribution": distribution,
                },
            });
            out.json(
                "intent:user:{userId}:summary",
                format!("intent:user:{user_id}:summary"),
                &value,
                TTL_2_MIN,
            );
        }
    }
}

/// A waveform preview: an 8-byte magic (its first byte, 0x89, makes the value invalid UTF-8),
/// the duration and peak count as little-endian u32, then one peak byte per bucket.
fn waveform(g: &mut Gen, duration: u32) -> Vec<u8> {
    let peaks = 1200u32;
    let mut bytes = vec![0x89, b'W', b'V', b'F', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(&duration.to_le_bytes());
    bytes.extend_from_slice(&peaks.to_le_bytes());
    let mut level = 40.0_f64;
    for i in 0..peaks {
        level = (level + g.float(-30.0, 30.0)).clamp(4.0, 255.0);
        // Pauses between sentences.
        let silent = (i / 37) % 5 == 4;
        bytes.push(if silent {
            g.int(0, 6) as u8
        } else {
            level as u8
        });
    }
    bytes
}
