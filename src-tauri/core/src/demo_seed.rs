//! Demo data: a deterministic, realistic namespace holding every key family the administered
//! systems write (precomputed reports, the three-layer page cache, the voice-AI caches and the
//! path-statistics snapshots), so Cachescope can be shown and tried without a production account.
//! [`demo_entries`] is pure; [`seed`] writes its output through any [`KvStore`].

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, SecondsFormat, Utc};
use flate2::write::GzEncoder;
use flate2::Compression;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::error::Result;
use crate::kv::limits;
use crate::kv::{Entry, Expiry, KvStore, PutOptions};
use crate::progress::Progress;

/// Keys per `bulk_put` call while seeding.
const CHUNK: usize = 1000;
/// The progress phase reported by [`seed`].
const PHASE: &str = "seed";
/// Fewest users generated: one admin, one manager and three reps.
const MIN_USERS: u32 = 5;
/// Values above this count as large in a [`SeedSummary`].
const LARGE_VALUE_BYTES: usize = 1024 * 1024;
/// CRM ids of the reps start here: above 2^53, so a JavaScript `JSON.parse` would round them,
/// which is exactly what the UI's big-integer handling has to be shown on.
const CRM_ID_BASE: u64 = 9_007_199_254_740_993_123;

// TTLs of the families, in seconds (docs/domain.md, "Key families").
const TTL_5_MIN: u64 = 300;
const TTL_2_MIN: u64 = 120;
const TTL_10_MIN: u64 = 600;
const TTL_30_MIN: u64 = 1800;
const TTL_HOUR: u64 = 3600;
const TTL_DAY: u64 = 86_400;

/// Departments that have a manager; `default` is the whole sales organisation.
const SALES_DEPTS: [&str; 3] = ["sales-east", "sales-west", "enterprise"];
/// Departments with a `report:team:{dept}` key.
const TEAM_KEYS: [&str; 4] = ["default", "sales-east", "sales-west", "enterprise"];

/// How much demo data to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SeedOptions {
    /// Users of the sales platform (admins, managers and reps); at least 5 are made.
    pub users: u32,
    /// Seed of the random generator: the same seed and clock give byte-identical entries.
    pub seed: u64,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self { users: 40, seed: 7 }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedSummary {
    /// Keys written.
    pub keys: usize,
    /// Value bytes written (keys and metadata not counted).
    pub bytes: u64,
    /// Key family template (e.g. `report:rep:{userId}`) and how many of its keys were written,
    /// sorted by template.
    pub families: Vec<(String, usize)>,
    /// Keys written with an expiry.
    pub expiring: usize,
    /// Values that are not valid UTF-8 (gzip snapshots, waveform previews).
    pub binary: usize,
    /// Values larger than 1 MiB.
    pub large: usize,
}

/// Builds the demo entries, sorted by key. Pure: the same options and `now` give identical
/// entries, and every timestamp inside them is derived from `now`.
pub fn demo_entries(options: &SeedOptions, now: DateTime<Utc>) -> Vec<Entry> {
    build(options, now).into_iter().map(|s| s.entry).collect()
}

/// Writes the demo entries through `store` with `bulk_put` in chunks of 1000, reporting progress
/// in the `seed` phase and checking for cancellation before each chunk. Every entry is checked
/// against KV's limits before the first is written. Keys the store reports as not written are
/// left out of the summary.
pub async fn seed(
    store: &dyn KvStore,
    options: &SeedOptions,
    progress: &Progress,
) -> Result<SeedSummary> {
    let now = Utc::now();
    let seeded = build(options, now);
    let entries: Vec<Entry> = seeded.iter().map(|s| s.entry.clone()).collect();
    limits::check_entries(&entries, now.timestamp())?;

    let total = entries.len() as u64;
    let mut failed = BTreeSet::new();
    let mut done = 0u64;
    progress.report(PHASE, 0, Some(total));
    for chunk in entries.chunks(CHUNK) {
        progress.check()?;
        let outcome = store.bulk_put(chunk).await?;
        failed.extend(outcome.failed);
        done += chunk.len() as u64;
        progress.report(PHASE, done, Some(total));
    }
    if !failed.is_empty() {
        tracing::warn!(failed = failed.len(), store = %store.describe(), "demo seed: some keys were not written");
    }
    let written: Vec<&Seeded> = seeded
        .iter()
        .filter(|s| !failed.contains(&s.entry.key))
        .collect();
    Ok(summarize(&written))
}

/// One generated entry and the family it belongs to.
struct Seeded {
    family: &'static str,
    entry: Entry,
}

fn summarize(seeded: &[&Seeded]) -> SeedSummary {
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    let mut summary = SeedSummary {
        keys: seeded.len(),
        bytes: 0,
        families: Vec::new(),
        expiring: 0,
        binary: 0,
        large: 0,
    };
    for s in seeded {
        *families.entry(s.family).or_default() += 1;
        summary.bytes += s.entry.value.len() as u64;
        if s.entry.options.expiry != Expiry::Never {
            summary.expiring += 1;
        }
        if std::str::from_utf8(&s.entry.value).is_err() {
            summary.binary += 1;
        }
        if s.entry.value.len() > LARGE_VALUE_BYTES {
            summary.large += 1;
        }
    }
    summary.families = families
        .into_iter()
        .map(|(f, n)| (f.to_owned(), n))
        .collect();
    summary
}

fn build(options: &SeedOptions, now: DateTime<Utc>) -> Vec<Seeded> {
    let mut g = Gen::new(options.seed);
    let world = World::generate(&mut g, options.users.max(MIN_USERS) as usize, now);
    let mut out = Out::default();
    reports(&mut out, &mut g, &world);
    page_caches(&mut out, &mut g, &world);
    voice_ai(&mut out, &mut g, &world);
    path_stats(&mut out, &mut g, now);
    out.0.sort_by(|a, b| a.entry.key.cmp(&b.entry.key));
    out.0
}

// ---------------------------------------------------------------------------------------------
// Output

#[derive(Default)]
struct Out(Vec<Seeded>);

impl Out {
    fn raw(
        &mut self,
        family: &'static str,
        key: String,
        value: Vec<u8>,
        ttl: Option<u64>,
        metadata: Option<Json>,
    ) {
        let expiry = ttl.map_or(Expiry::Never, Expiry::Ttl);
        self.0.push(Seeded {
            family,
            entry: Entry {
                key,
                value,
                options: PutOptions {
                    expiry,
                    metadata: metadata.map(Into::into),
                },
            },
        });
    }

    /// A page or voice-AI cache: JSON as the workers write it, no metadata.
    fn json(&mut self, family: &'static str, key: String, value: &Json, ttl: u64) {
        self.raw(family, key, value.to_string().into_bytes(), Some(ttl), None);
    }

    /// A precomputed report, with the metadata the precompute job attaches.
    fn report(
        &mut self,
        family: &'static str,
        key: String,
        value: &Json,
        ttl: Option<u64>,
        generated_at: DateTime<Utc>,
    ) {
        let bytes = value.to_string().into_bytes();
        let metadata = json!({
            "generatedAt": iso(generated_at),
            "source": "precompute",
            "contentHash": content_hash(&bytes),
        });
        self.raw(family, key, bytes, ttl, Some(metadata));
    }
}

/// FNV-1a, 64 bits, as hex: a stable fingerprint of a value for the metadata.
fn content_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// An ISO 8601 timestamp as JavaScript's `toISOString` writes it.
fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| round1(sum / f64::from(n)))
}

fn days_between(earlier: DateTime<Utc>, later: DateTime<Utc>) -> i64 {
    (later - earlier).num_days()
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// The first instant of the month `back` months before (`year`, `month`).
fn month_start(year: i32, month: u32, back: i32) -> DateTime<Utc> {
    let total = year * 12 + month as i32 - 1 - back;
    let date = NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1);
    midnight(date.unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// Randomness

struct Gen(StdRng);

impl Gen {
    fn new(seed: u64) -> Self {
        Self(StdRng::seed_from_u64(seed))
    }

    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.0.random_range(lo..=hi)
    }

    fn index(&mut self, len: usize) -> usize {
        self.0.random_range(0..len)
    }

    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        self.0.random_range(lo..hi)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// One item of a non-empty slice.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    fn hex(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| char::from(b"0123456789abcdef"[self.index(16)]))
            .collect()
    }

    /// A version-4 UUID.
    fn uuid(&mut self) -> String {
        let hi: u64 = (self.0.random::<u64>() & 0xffff_ffff_ffff_0fff) | 0x4000;
        let lo: u64 = (self.0.random::<u64>() & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0xffff,
            lo >> 48,
            lo & 0xffff_ffff_ffff
        )
    }

    /// An index drawn with probability proportional to its weight.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.float(0.0, total.max(f64::MIN_POSITIVE));
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    fn secs_ago(&mut self, now: DateTime<Utc>, lo: i64, hi: i64) -> DateTime<Utc> {
        now - Duration::seconds(self.int(lo, hi))
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary (people's names are shared with `demo_source`)

pub(crate) const ZH_SURNAMES: [(&str, &str); 18] = [
    ("陳", "chen"),
    ("林", "lin"),
    ("黃", "huang"),
    ("張", "chang"),
    ("李", "lee"),
    ("王", "wang"),
    ("吳", "wu"),
    ("劉", "liu"),
    ("蔡", "tsai"),
    ("楊", "yang"),
    ("許", "hsu"),
    ("鄭", "cheng"),
    ("謝", "hsieh"),
    ("郭", "kuo"),
    ("洪", "hung"),
    ("曾", "tseng"),
    ("周", "chou"),
    ("賴", "lai"),
];
pub(crate) const ZH_GIVEN: [&str; 22] = [
    "志明", "淑芬", "家豪", "怡君", "冠宇", "雅婷", "宗翰", "佳穎", "承恩", "詩涵", "俊傑", "美玲",
    "柏翰", "欣怡", "建宏", "郁婷", "育誠", "雅雯", "信宏", "思妤", "品睿", "宜蓁",
];
pub(crate) const EN_FIRST: [&str; 16] = [
    "Kevin", "Emily", "Jason", "Grace", "Ryan", "Olivia", "Daniel", "Sophia", "Eric", "Chloe",
    "Brian", "Hannah", "Marcus", "Natalie", "Tyler", "Vivian",
];
pub(crate) const EN_LAST: [&str; 12] = [
    "Walker",
    "Patel",
    "Nguyen",
    "Johnson",
    "Kim",
    "Rivera",
    "Brooks",
    "Foster",
    "Martins",
    "Okafor",
    "Lindqvist",
    "Moreau",
];

/// Customer companies (fictional) and their mail domains (under the reserved `.example` TLD).
const ZH_COMPANIES: [(&str, &str); 24] = [
    ("宏遠精密工業股份有限公司", "hongyuan-precision.example"),
    ("聯晟物流股份有限公司", "liansheng-logistics.example"),
    ("昱豐生技股份有限公司", "yufeng-biotech.example"),
    ("群益餐飲集團", "qunyi-dining.example"),
    ("鴻達電子股份有限公司", "hongda-electronics.example"),
    ("立泰建設股份有限公司", "litai-construction.example"),
    ("新順資訊股份有限公司", "xinshun-it.example"),
    ("凱德醫療器材有限公司", "kaide-medical.example"),
    ("台盛食品股份有限公司", "taisheng-foods.example"),
    ("晟益貿易有限公司", "shengyi-trading.example"),
    ("永興機械股份有限公司", "yongxing-machinery.example"),
    ("東昇光電股份有限公司", "dongsheng-optronics.example"),
    ("和昕連鎖藥局", "hexin-pharmacy.example"),
    ("嘉禾教育科技有限公司", "jiahe-edtech.example"),
    ("南峰塑膠工業股份有限公司", "nanfeng-plastics.example"),
    ("北辰雲端科技股份有限公司", "beichen-cloud.example"),
    ("綠洲能源股份有限公司", "lvzhou-energy.example"),
    ("福安紡織股份有限公司", "fuan-textile.example"),
    ("金禾保險經紀人股份有限公司", "jinhe-insurance.example"),
    ("晴川旅行社股份有限公司", "qingchuan-travel.example"),
    ("安心長照服務有限公司", "anxin-care.example"),
    ("瑞昌汽車零件股份有限公司", "ruichang-autoparts.example"),
    ("天曜半導體設備股份有限公司", "tianyao-semi.example"),
    ("萬通數位行銷有限公司", "wantong-digital.example"),
];
const EN_COMPANIES: [(&str, &str); 16] = [
    ("Northgate Logistics", "northgate-logistics.example"),
    ("Bluepeak Analytics", "bluepeak.example"),
    ("Harbor & Pine Dental Group", "harborpine-dental.example"),
    ("Summit Ridge Foods", "summitridge-foods.example"),
    ("Crescent Medical Supply", "crescent-medical.example"),
    ("Ironbridge Manufacturing", "ironbridge-mfg.example"),
    ("Lanternfield Learning", "lanternfield.example"),
    ("Redwood Property Partners", "redwood-property.example"),
    (
        "Silverline Insurance Brokers",
        "silverline-insurance.example",
    ),
    ("Orchid Bay Hotels", "orchidbay-hotels.example"),
    ("Kestrel Security Systems", "kestrel-security.example"),
    ("Maple & Main Retail", "maplemain-retail.example"),
    ("Brightwater Clinics", "brightwater-clinics.example"),
    ("Copperfield Legal LLP", "copperfield-legal.example"),
    ("Tidewater Marine Supply", "tidewater-marine.example"),
    ("Granite Peak Construction", "granitepeak.example"),
];

const ZH_TITLES: [&str; 8] = [
    "初次需求訪談",
    "產品 Demo",
    "報價討論",
    "POC 期中檢討",
    "合約條款確認",
    "技術整合會議",
    "高層簡報",
    "續約討論",
];
const EN_TITLES: [&str; 8] = [
    "Discovery call",
    "Product demo",
    "Pricing discussion",
    "Pilot check-in",
    "Contract review",
    "Integration deep-dive",
    "Executive briefing",
    "Renewal discussion",
];

const ZH_REP_LINES: [&str; 16] = [
    "您好，感謝您今天撥空，我們先快速回顧一下上次會議的重點。",
    "想請教一下，目前{company}在業務流程上最花時間的環節是哪一塊？",
    "如果導入之後，您們內部會用什麼指標來判斷這個專案成功？",
    "這個預算最後是由哪一位主管核准？我們是否有機會一起跟他簡報？",
    "了解，所以目前是人工整理報表，每週大概要花兩到三天，對嗎？",
    "我們有一家同產業的客戶，導入三個月後，報表時間縮短了百分之七十。",
    "關於資安的部分，我們可以提供 ISO 27001 的證書以及第三方稽核報告。",
    "那我這邊整理一份提案，包含導入時程和費用，下週二前寄給您。",
    "請問除了您之外，還有哪些部門會參與評估？",
    "目前有在評估其他廠商嗎？方便分享一下您們比較看重哪些條件嗎？",
    "我們可以先從一個部門做 POC，大約四週，確認效果再擴大。",
    "價格的部分，簽兩年約可以再給您們百分之十五的折扣。",
    "您剛剛提到採購流程需要三層簽核，大概需要多久時間？",
    "好的，那我們約下週四下午再跟 IT 主管一起開會確認整合細節。",
    "這個需求我們系統已經有支援，我直接開畫面給您看。",
    "我確認一下我的理解：主要痛點是資料分散在三個系統，沒辦法即時掌握進度。",
];
const ZH_CUSTOMER_LINES: [&str; 16] = [
    "對，我們現在每個月結帳都要加班，報表常常對不起來。",
    "預算的話今年度已經編列了，但要在第三季前決定。",
    "最後還是要總經理點頭，不過他很重視數據。",
    "我們之前用過另一套系統，導入到一半就放棄了，所以這次比較謹慎。",
    "資安是我們最在意的，資料一定要留在台灣的機房嗎？",
    "這個價格跟我們的預期有點落差，有沒有彈性？",
    "IT 那邊擔心跟現有的 ERP 整合會有問題。",
    "如果可以先試用一個月，我比較好跟老闆說明。",
    "目前有另外兩家在比較，下個月底前會決定。",
    "我們業務團隊大概三十個人，分北中南三區。",
    "上次的 Demo 大家反應不錯，尤其是自動摘要的功能。",
    "合約的部分需要法務先看過，大概兩週。",
    "嗯，這個部分我要再回去跟主管確認。",
    "導入時間大概要多久？我們希望過年前上線。",
    "好，那就麻煩你們先寄提案過來。",
    "其實{company}內部對這個專案的共識還沒有很一致。",
];
const EN_REP_LINES: [&str; 16] = [
    "Thanks for making the time today. Let me quickly recap where we left off last week.",
    "What does your team spend the most time on today when closing the month at {company}?",
    "If this goes well, how would you measure success six months from now?",
    "Who else needs to sign off on the budget for a project like this?",
    "So if I understand correctly, the reports are still assembled by hand every Friday?",
    "One of our customers in a similar space cut their reporting time by about seventy percent.",
    "On security, we can share our SOC 2 Type II report and a recent penetration test summary.",
    "I'll put together a proposal with a rollout plan and pricing and send it over by Tuesday.",
    "Are you evaluating any other vendors at the moment?",
    "We could start with a four-week pilot in one region and expand from there.",
    "For a two-year term we can bring the per-seat price down by about fifteen percent.",
    "You mentioned procurement needs three approvals. How long does that usually take?",
    "Let's set up a call with your IT lead next Thursday to walk through the integration.",
    "That's supported out of the box, let me share my screen and show you.",
    "It sounds like the core problem is that your pipeline data lives in three different places.",
    "What happens if nothing changes this year?",
];
const EN_CUSTOMER_LINES: [&str; 16] = [
    "Honestly, month-end is painful. The numbers never quite line up.",
    "We do have budget set aside, but it has to be committed before the end of Q3.",
    "Ultimately our COO makes the call, and she's very data-driven.",
    "We tried another tool two years ago and it stalled halfway through the rollout.",
    "Data residency is a big deal for us. Where is the data hosted?",
    "The pricing is a bit above what we had in mind. Is there any flexibility?",
    "IT is worried about the integration with our ERP.",
    "If we could run a trial for a month, it would be much easier to get buy-in.",
    "We're looking at two other options and plan to decide by the end of next month.",
    "Our sales team is about thirty people across three regions.",
    "People liked the demo last time, especially the automatic call summaries.",
    "Legal will need about two weeks to review the contract.",
    "Let me check with my manager on that and get back to you.",
    "How long does a typical rollout take? We'd like to be live before the holidays.",
    "Okay, please send the proposal over and we'll review it internally.",
    "To be frank, there isn't full alignment at {company} on this project yet.",
];

/// MEDDIC dimensions, in the order of [`Analysis::dims`].
const DIMENSIONS: [&str; 6] = [
    "metrics",
    "economicBuyer",
    "decisionCriteria",
    "decisionProcess",
    "identifyPain",
    "champion",
];
const ZH_EVIDENCE: [&str; 6] = [
    "客戶提到報表整理每週耗時兩到三天，希望縮短七成。",
    "預算需由總經理核准，尚未安排與總經理會面。",
    "客戶重視資安認證、ERP 整合與導入時程。",
    "採購需三層簽核，法務審約約需兩週。",
    "資料分散於三個系統，無法即時掌握業務進度。",
    "業務經理主動提議安排 IT 主管參與下次會議。",
];
const EN_EVIDENCE: [&str; 6] = [
    "Customer quantified reporting effort at two to three days a week and wants a 70% reduction.",
    "Budget sign-off sits with the COO; no meeting with her has been arranged yet.",
    "Security certification, ERP integration and rollout time were named as criteria.",
    "Procurement needs three approvals; legal review takes about two weeks.",
    "Pipeline data is spread over three systems with no real-time view.",
    "The sales manager offered to bring the IT lead to the next meeting.",
];
const ZH_GAPS: [&str; 6] = [
    "尚未確認量化的投資報酬目標。",
    "未直接接觸經濟決策者。",
    "尚未取得正式的評估標準清單。",
    "決策時程與簽核關卡仍不明確。",
    "痛點對營收的影響尚未量化。",
    "內部支持者的影響力有待確認。",
];
const EN_GAPS: [&str; 6] = [
    "No agreed, quantified ROI target yet.",
    "No direct access to the economic buyer.",
    "No written list of evaluation criteria.",
    "Decision timeline and approval steps remain unclear.",
    "Revenue impact of the pain has not been quantified.",
    "The champion's influence is unconfirmed.",
];
const ZH_FINDINGS: [&str; 6] = [
    "客戶對自動摘要功能反應正面，可作為差異化重點。",
    "競品正在同步評估中，價格是主要考量。",
    "IT 部門對 ERP 整合有疑慮，需安排技術說明。",
    "預算已編列，但需於第三季前完成決策。",
    "前次系統導入失敗，客戶對導入風險較敏感。",
    "決策者重視數據，建議準備同業案例與 ROI 試算。",
];
const EN_FINDINGS: [&str; 6] = [
    "The automatic summaries landed well and can anchor the differentiation.",
    "A competitor is being evaluated in parallel; price is the main lever.",
    "IT has open concerns about the ERP integration; a technical session is needed.",
    "Budget exists but must be committed before the end of Q3.",
    "A failed rollout two years ago makes the customer wary of implementation risk.",
    "The decision maker is data-driven; prepare a peer case study and an ROI model.",
];
const ZH_NEXT_STEPS: [&str; 5] = [
    "寄送提案與導入時程",
    "安排與總經理的高層簡報",
    "邀請 IT 主管參加整合技術會議",
    "提供同業導入案例與 ROI 試算",
    "確認法務審約時程",
];
const EN_NEXT_STEPS: [&str; 5] = [
    "Send the proposal and rollout plan",
    "Book an executive briefing with the COO",
    "Run an integration session with the IT lead",
    "Share a peer case study and ROI model",
    "Confirm the legal review timeline",
];

const ZH_TODOS: [(&str, bool); 6] = [
    ("電話追蹤提案回覆", true),
    ("寄送會議記錄與下一步", true),
    ("追蹤法務審約進度", true),
    ("準備報價單", false),
    ("安排 POC 啟動會議", false),
    ("更新 CRM 商機階段", false),
];
const EN_TODOS: [(&str, bool); 6] = [
    ("Follow up on the proposal", true),
    ("Send meeting notes and next steps", true),
    ("Chase legal review of the contract", true),
    ("Prepare the quote", false),
    ("Schedule the pilot kick-off", false),
    ("Update the opportunity stage in CRM", false),
];

const ZH_LOST_REASONS: [&str; 4] = ["預算不足", "選擇競品", "專案延後", "內部自行開發"];
const EN_LOST_REASONS: [&str; 4] = [
    "Budget cut",
    "Chose a competitor",
    "Project postponed",
    "No decision",
];

/// Processing failures: code, stage, message.
const FAILURES: [(&str, &str, &str); 9] = [
    (
        "AUDIO_DECODE_FAILED",
        "audio",
        "ffmpeg could not decode the uploaded file (unsupported codec)",
    ),
    (
        "AUDIO_TOO_SHORT",
        "audio",
        "recording shorter than 30 seconds",
    ),
    (
        "DOWNLOAD_TIMEOUT",
        "download",
        "fetching the recording from object storage timed out after 30 s",
    ),
    (
        "R2_OBJECT_NOT_FOUND",
        "download",
        "recording object not found in the bucket",
    ),
    (
        "WHISPER_RATE_LIMITED",
        "transcription",
        "transcription API returned 429 after 3 retries",
    ),
    (
        "TRANSCRIPT_EMPTY",
        "transcription",
        "transcription returned no speech segments",
    ),
    (
        "LLM_INVALID_JSON",
        "analysis",
        "MEDDIC analysis response was not valid JSON",
    ),
    (
        "LLM_CONTEXT_TOO_LONG",
        "analysis",
        "transcript exceeds the model context window",
    ),
    (
        "DB_CONNECTION_TIMEOUT",
        "database",
        "Neon connection timed out while saving the analysis",
    ),
];

const INTENTS: [&str; 7] = [
    "purchase_intent",
    "pricing_inquiry",
    "support_request",
    "appointment_booking",
    "follow_up_request",
    "complaint",
    "not_interested",
];
const INTENT_SUMMARIES: [&str; 7] = [
    "Caller wants to buy the annual plan for a team of 12 and asked about onboarding.",
    "Caller compared our pricing with a competitor and asked for a volume discount.",
    "Existing customer reported that call recordings stopped syncing since Monday.",
    "Caller booked an on-site demo for next Wednesday at 10:00.",
    "Caller asked for the proposal to be resent and a follow-up call on Friday.",
    "Customer complained about a duplicate charge on the last invoice.",
    "Caller is not interested and asked to be removed from the call list.",
];
const CARRIERS: [&str; 6] = [
    "Chunghwa Telecom",
    "Taiwan Mobile",
    "FarEasTone",
    "Verizon",
    "AT&T",
    "T-Mobile",
];
const CITIES: [(&str, &str, &str); 6] = [
    ("Taipei", "Taipei City", "TW"),
    ("Taichung", "Taichung City", "TW"),
    ("Kaohsiung", "Kaohsiung City", "TW"),
    ("San Francisco", "CA", "US"),
    ("Austin", "TX", "US"),
    ("Seattle", "WA", "US"),
];

// ---------------------------------------------------------------------------------------------
// The synthetic source data every payload is computed from

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    Manager,
    Rep,
}

struct User {
    id: String,
    name: String,
    role: Role,
    dept: &'static str,
    /// The rep's typical MEDDIC score.
    skill: f64,
    /// Share of uploads and calls (reps only): a few reps do most of the work.
    weight: f64,
    crm_id: u64,
}

struct Contact {
    name: String,
    email: Option<String>,
    phone: Option<String>,
}

struct Opp {
    id: String,
    customer_number: String,
    company: &'static str,
    zh: bool,
    contact: Option<Contact>,
    owner: usize,
    status: &'static str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    amount: u64,
    lost_reason: Option<&'static str>,
    /// Indices into `World::convs`, oldest first.
    convs: Vec<usize>,
}

struct Analysis {
    id: String,
    overall: u32,
    /// 1-5 per entry of [`DIMENSIONS`].
    dims: [u8; 6],
}

impl Analysis {
    fn status(&self) -> &'static str {
        match self.overall {
            75.. => "Strong",
            55..=74 => "Medium",
            35..=54 => "Weak",
            _ => "At Risk",
        }
    }
}

struct Conv {
    id: String,
    case_number: String,
    title: Option<String>,
    opp: usize,
    owner: usize,
    status: &'static str,
    created_at: DateTime<Utc>,
    processing_secs: u32,
    analysis: Option<Analysis>,
    failure: Option<(&'static str, &'static str, &'static str)>,
}

struct Todo {
    id: String,
    owner: usize,
    opp: usize,
    title: &'static str,
    follow_up: bool,
    due: DateTime<Utc>,
    done: bool,
}

struct Call {
    id: String,
    user: usize,
    direction: &'static str,
    from: String,
    to: String,
    status: &'static str,
    duration: u32,
    started_at: DateTime<Utc>,
    intent: Option<usize>,
    confidence: f64,
    enriched: bool,
}

struct World {
    now: DateTime<Utc>,
    today: DateTime<Utc>,
    week_start: DateTime<Utc>,
    last_week_start: DateTime<Utc>,
    month_start: DateTime<Utc>,
    users: Vec<User>,
    opps: Vec<Opp>,
    /// Oldest first.
    convs: Vec<Conv>,
    todos: Vec<Todo>,
    /// Oldest first.
    calls: Vec<Call>,
}

fn person(g: &mut Gen, zh: bool) -> (String, String) {
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

fn phone(g: &mut Gen, zh: bool) -> String {
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

fn e164(g: &mut Gen, zh: bool) -> String {
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
    fn generate(g: &mut Gen, n: usize, now: DateTime<Utc>) -> World {
        let today = midnight(now.date_naive());
        let week_start = today - Duration::days(i64::from(now.weekday().num_days_from_monday()));
        let month_start = month_start(now.year(), now.month(), 0);
        let mut world = World {
            now,
            today,
            week_start,
            last_week_start: week_start - Duration::days(7),
            month_start,
            users: Vec::new(),
            opps: Vec::new(),
            convs: Vec::new(),
            todos: Vec::new(),
            calls: Vec::new(),
        };
        world.users = gen_users(g, n);
        world.gen_pipeline(g);
        world.gen_todos(g);
        world.gen_calls(g);
        world
    }

    fn reps(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.users.len()).filter(|&u| self.users[u].role == Role::Rep)
    }

    fn managers(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.users.len()).filter(|&u| self.users[u].role == Role::Manager)
    }

    /// Whose data user `u` sees: a rep their own, a manager their department's reps, an admin
    /// every rep (the page caches' permission rules, docs/domain.md "The source systems").
    fn scope(&self, u: usize) -> Vec<usize> {
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

    fn gen_pipeline(&mut self, g: &mut Gen) {
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
                    lost_reason: None,
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
            let zh = self.opps.get(opp).is_none_or(|o| o.zh);
            let title = g.chance(0.85).then(|| {
                let t = if zh {
                    *g.pick(&ZH_TITLES)
                } else {
                    *g.pick(&EN_TITLES)
                };
                t.to_owned()
            });
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
                Analysis {
                    id: g.uuid(),
                    overall,
                    dims,
                }
            });
            let failure = (status == "failed").then(|| *g.pick(&FAILURES));
            let processing_secs = g.int(95, 540) as u32;
            if let Some(o) = self.opps.get_mut(opp) {
                o.convs.push(self.convs.len());
            }
            self.convs.push(Conv {
                id,
                case_number,
                title,
                opp,
                owner,
                status,
                created_at,
                processing_secs,
                analysis,
                failure,
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
                    opp.lost_reason = Some(if opp.zh {
                        *g.pick(&ZH_LOST_REASONS)
                    } else {
                        *g.pick(&EN_LOST_REASONS)
                    });
                }
            }
        }
    }

    fn gen_todos(&mut self, g: &mut Gen) {
        for (o, opp) in self.opps.iter().enumerate() {
            if opp.closed_at.is_some() {
                continue;
            }
            for _ in 0..g.int(0, 3) {
                let (title, follow_up) = if opp.zh {
                    *g.pick(&ZH_TODOS)
                } else {
                    *g.pick(&EN_TODOS)
                };
                let due = self.today
                    + Duration::days(g.int(-12, 14))
                    + Duration::minutes(g.int(9 * 60, 18 * 60));
                let done = if due < self.now {
                    g.chance(0.45)
                } else {
                    g.chance(0.08)
                };
                self.todos.push(Todo {
                    id: format!("todo_{}", g.hex(12)),
                    owner: opp.owner,
                    opp: o,
                    title,
                    follow_up,
                    due,
                    done,
                });
            }
        }
    }

    fn gen_calls(&mut self, g: &mut Gen) {
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

fn gen_users(g: &mut Gen, n: usize) -> Vec<User> {
    let admins = (n / 20).max(1);
    let managers = if n >= 12 { SALES_DEPTS.len() } else { 1 };
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
            Role::Manager => SALES_DEPTS[(i - admins) % SALES_DEPTS.len()],
            Role::Rep => SALES_DEPTS[g.index(managers)],
        };
        users.push(User {
            id,
            name,
            role,
            dept,
            skill: g.float(40.0, 82.0),
            weight: 0.0,
            crm_id: CRM_ID_BASE + i.saturating_sub(admins + managers) as u64 * 104_729,
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

// ---------------------------------------------------------------------------------------------
// Reports (the sales-analytics reports)

fn reports(out: &mut Out, g: &mut Gen, w: &World) {
    let recent = |g: &mut Gen| g.secs_ago(w.now, 20, 840);

    let at = recent(g);
    out.report(
        "report:system-health",
        "report:system-health".into(),
        &system_health(w, at),
        Some(TTL_HOUR),
        at,
    );
    let at = g.secs_ago(w.now, 600, 6 * 3600);
    out.report(
        "report:close-cases",
        "report:close-cases".into(),
        &close_cases(w, at),
        Some(TTL_DAY),
        at,
    );
    let at = recent(g);
    out.report(
        "report:attention-needed",
        "report:attention-needed".into(),
        &attention_needed(w, at),
        Some(TTL_HOUR),
        at,
    );
    let at = recent(g);
    out.report(
        "report:todo-stats",
        "report:todo-stats".into(),
        &todo_stats(w, at),
        Some(TTL_HOUR),
        at,
    );
    for dept in TEAM_KEYS {
        let at = recent(g);
        out.report(
            "report:team:{dept}",
            format!("report:team:{dept}"),
            &team(w, dept, at),
            Some(TTL_HOUR),
            at,
        );
    }
    for back in 0..3 {
        let start = month_start(w.now.year(), w.now.month(), back);
        let at = g.secs_ago(w.now, 60, 4 * 3600);
        let key = format!("report:mtd-uploads:{}", start.format("%Y-%m"));
        out.report(
            "report:mtd-uploads:{YYYY-MM}",
            key,
            &mtd_uploads(w, start, at),
            Some(TTL_DAY),
            at,
        );
    }
    for r in w.reps() {
        let at = recent(g);
        let key = format!("report:rep:{}", w.users[r].id);
        out.report(
            "report:rep:{userId}",
            key,
            &rep_report(w, r, at),
            Some(TTL_HOUR),
            at,
        );
    }
    let at = recent(g);
    out.report(
        "report:upload-ranking:weekly",
        "report:upload-ranking:weekly".into(),
        &ranking(w, "weekly", w.week_start, at),
        None,
        at,
    );
    let at = recent(g);
    out.report(
        "report:upload-ranking:monthly",
        "report:upload-ranking:monthly".into(),
        &ranking(w, "monthly", w.month_start, at),
        None,
        at,
    );
}

/// Uploads and the mean MEDDIC score of `owner`'s (or everyone's) conversations in [from, to).
fn uploads_between(
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

fn closed_between<'a>(
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

fn win_rate(won: usize, lost: usize) -> f64 {
    if won + lost == 0 {
        0.0
    } else {
        round1(won as f64 * 100.0 / (won + lost) as f64)
    }
}

fn latest_score(w: &World, opp: &Opp) -> Option<u32> {
    opp.convs
        .iter()
        .rev()
        .find_map(|&c| w.convs[c].analysis.as_ref())
        .map(|a| a.overall)
}

fn system_health(w: &World, at: DateTime<Utc>) -> Json {
    let day_ago = w.now - Duration::hours(24);
    let last24: Vec<&Conv> = w.convs.iter().filter(|c| c.created_at >= day_ago).collect();
    let count = |status: &str| last24.iter().filter(|c| c.status == status).count();
    let avg_processing = mean(
        last24
            .iter()
            .filter(|c| c.status == "completed")
            .map(|c| f64::from(c.processing_secs)),
    );

    // Errors of the last seven days: a day alone rarely has enough failures to show a pattern.
    let mut errors: BTreeMap<&str, (&str, Vec<Json>)> = BTreeMap::new();
    for c in w
        .convs
        .iter()
        .filter(|c| c.created_at >= w.now - Duration::days(7))
    {
        if let Some((code, stage, message)) = c.failure {
            let case = json!({
                "conversationId": c.id,
                "caseNumber": c.case_number,
                "companyName": w.opps[c.opp].company,
                "userName": w.users[c.owner].name,
                "errorMessage": message,
                "failedAt": iso(c.created_at + Duration::seconds(i64::from(c.processing_secs))),
            });
            errors
                .entry(code)
                .or_insert_with(|| (stage, Vec::new()))
                .1
                .push(case);
        }
    }
    let errors_by_code: serde_json::Map<String, Json> = errors
        .into_iter()
        .map(|(code, (stage, cases))| {
            (
                code.to_owned(),
                json!({ "count": cases.len(), "stage": stage, "cases": cases }),
            )
        })
        .collect();

    let stuck: Vec<Json> = w
        .convs
        .iter()
        .filter(|c| {
            matches!(c.status, "pending" | "processing")
                && c.created_at < w.now - Duration::hours(2)
        })
        .map(|c| {
            json!({
                "caseNumber": c.case_number,
                "companyName": w.opps[c.opp].company,
                "status": c.status,
                "hoursStuck": (w.now - c.created_at).num_hours(),
            })
        })
        .collect();

    let (this_uploads, this_avg) = uploads_between(w, None, w.week_start, w.now);
    let (last_uploads, last_avg) = uploads_between(w, None, w.last_week_start, w.week_start);
    let uploads_percent = if last_uploads == 0 {
        0.0
    } else {
        round1((this_uploads as f64 - last_uploads as f64) * 100.0 / last_uploads as f64)
    };
    let (this_avg, last_avg) = (this_avg.unwrap_or(0.0), last_avg.unwrap_or(0.0));

    json!({
        "generatedAt": iso(at),
        "processing": {
            "last24h": {
                "completed": count("completed"),
                "failed": count("failed"),
                "inProgress": count("pending") + count("processing"),
                "avgProcessingTime": avg_processing.unwrap_or(0.0),
            },
            "errorsByCode": errors_by_code,
            "stuckCases": stuck,
        },
        "weeklyComparison": {
            "thisWeek": { "uploads": this_uploads, "avgMeddic": this_avg },
            "lastWeek": { "uploads": last_uploads, "avgMeddic": last_avg },
            "change": { "uploadsPercent": uploads_percent, "meddicDiff": round1(this_avg - last_avg) },
        },
    })
}

fn close_case(w: &World, o: &Opp) -> Json {
    let mut item = json!({
        "opportunityId": o.id,
        "customerNumber": o.customer_number,
        "companyName": o.company,
        "userId": w.users[o.owner].id,
        "userName": w.users[o.owner].name,
        "meddicScore": latest_score(w, o),
        "closedAt": o.closed_at.map(iso),
    });
    if let Some(map) = item.as_object_mut() {
        if o.status == "won" {
            map.insert("amount".into(), json!(o.amount));
            map.insert("currency".into(), json!(if o.zh { "TWD" } else { "USD" }));
        } else {
            map.insert("lostReason".into(), json!(o.lost_reason));
        }
    }
    item
}

fn close_cases(w: &World, at: DateTime<Utc>) -> Json {
    let won = closed_between(w, None, "won", w.week_start);
    let lost = closed_between(w, None, "lost", w.week_start);
    let mtd_won = closed_between(w, None, "won", w.month_start).len();
    let mtd_lost = closed_between(w, None, "lost", w.month_start).len();
    json!({
        "generatedAt": iso(at),
        "thisWeek": {
            "won": won.iter().map(|o| close_case(w, o)).collect::<Vec<_>>(),
            "lost": lost.iter().map(|o| close_case(w, o)).collect::<Vec<_>>(),
            "wonCount": won.len(),
            "lostCount": lost.len(),
            "winRate": win_rate(won.len(), lost.len()),
        },
        "mtd": { "wonCount": mtd_won, "lostCount": mtd_lost, "winRate": win_rate(mtd_won, mtd_lost) },
    })
}

fn attention_needed(w: &World, at: DateTime<Utc>) -> Json {
    let week_ago = w.now - Duration::days(7);
    let open = || w.opps.iter().filter(|o| o.closed_at.is_none());

    let mut stale: Vec<(u32, Json)> = open()
        .filter_map(|o| {
            let score = latest_score(w, o)?;
            let last = o.convs.last().map(|&c| w.convs[c].created_at)?;
            (score >= 70 && last < week_ago).then(|| {
                let item = json!({
                    "opportunityId": o.id,
                    "customerNumber": o.customer_number,
                    "companyName": o.company,
                    "userId": w.users[o.owner].id,
                    "userName": w.users[o.owner].name,
                    "meddicScore": score,
                    "lastActivityAt": iso(last),
                    "daysSinceActivity": days_between(last, w.now),
                });
                (score, item)
            })
        })
        .collect();
    stale.sort_by_key(|r| Reverse(r.0));

    let has_todo = |o: usize| w.todos.iter().any(|t| t.opp == o && !t.done);
    let mut no_todos: Vec<(i64, Json)> = w
        .opps
        .iter()
        .enumerate()
        .filter(|(i, o)| o.closed_at.is_none() && o.created_at < week_ago && !has_todo(*i))
        .map(|(_, o)| {
            let days = days_between(o.created_at, w.now);
            let item = json!({
                "opportunityId": o.id,
                "customerNumber": o.customer_number,
                "companyName": o.company,
                "userId": w.users[o.owner].id,
                "userName": w.users[o.owner].name,
                "status": o.status,
                "createdAt": iso(o.created_at),
                "daysOpen": days,
            });
            (days, item)
        })
        .collect();
    no_todos.sort_by_key(|r| Reverse(r.0));
    no_todos.truncate(30);

    let inactive: Vec<Json> = w
        .reps()
        .filter(|&r| uploads_between(w, Some(r), w.week_start, w.now).0 == 0)
        .map(|r| {
            let last = w
                .convs
                .iter()
                .rev()
                .find(|c| c.owner == r)
                .map(|c| c.created_at);
            json!({
                "userId": w.users[r].id,
                "userName": w.users[r].name,
                "dept": w.users[r].dept,
                "lastUploadAt": last.map(iso),
                "daysSinceLastUpload": last.map(|t| days_between(t, w.now)),
            })
        })
        .collect();

    json!({
        "generatedAt": iso(at),
        "staleHighScore": stale.into_iter().map(|(_, j)| j).collect::<Vec<_>>(),
        "noTodos": no_todos.into_iter().map(|(_, j)| j).collect::<Vec<_>>(),
        "inactiveReps": inactive,
    })
}

fn todo_info(w: &World, t: &Todo) -> Json {
    json!({
        "id": t.id,
        "title": t.title,
        "opportunityId": w.opps[t.opp].id,
        "companyName": w.opps[t.opp].company,
        "dueDate": iso(t.due),
        "status": if t.done { "completed" } else { "pending" },
    })
}

fn todo_stats(w: &World, at: DateTime<Utc>) -> Json {
    let tomorrow = w.today + Duration::days(1);
    let pending: Vec<&Todo> = w.todos.iter().filter(|t| !t.done).collect();

    let mut overdue: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    let mut overdue_total = 0;
    for t in pending.iter().filter(|t| t.due < w.today) {
        overdue_total += 1;
        let user = &w.users[t.owner];
        overdue.entry(&user.id).or_insert((0, &user.name)).0 += 1;
    }
    let mut due_today: BTreeMap<&str, Vec<Json>> = BTreeMap::new();
    let mut due_today_total = 0;
    for t in pending
        .iter()
        .filter(|t| t.due >= w.today && t.due < tomorrow)
    {
        due_today_total += 1;
        due_today
            .entry(&w.users[t.owner].id)
            .or_default()
            .push(todo_info(w, t));
    }
    let mut follow_ups: Vec<&&Todo> = pending
        .iter()
        .filter(|t| t.follow_up && t.due >= w.today)
        .collect();
    follow_ups.sort_by_key(|t| t.due);
    let follow_ups: Vec<Json> = follow_ups
        .iter()
        .take(25)
        .map(|t| {
            let opp = &w.opps[t.opp];
            json!({
                "todoId": t.id,
                "opportunityId": opp.id,
                "companyName": opp.company,
                "userId": w.users[t.owner].id,
                "userName": w.users[t.owner].name,
                "title": t.title,
                "dueDate": iso(t.due),
                "lastConversationAt": opp.convs.last().map(|&c| iso(w.convs[c].created_at)),
            })
        })
        .collect();

    json!({
        "generatedAt": iso(at),
        "overdue": {
            "total": overdue_total,
            "byUser": overdue
                .into_iter()
                .map(|(id, (count, name))| (id.to_owned(), json!({ "count": count, "userName": name })))
                .collect::<serde_json::Map<_, _>>(),
        },
        "dueToday": {
            "total": due_today_total,
            "byUser": due_today.into_iter().map(|(id, todos)| (id.to_owned(), json!(todos))).collect::<serde_json::Map<_, _>>(),
        },
        "pendingFollowUps": follow_ups,
    })
}

fn team(w: &World, dept: &str, at: DateTime<Utc>) -> Json {
    let mut rows: Vec<(usize, Json)> = w
        .reps()
        .filter(|&r| dept == "default" || w.users[r].dept == dept)
        .map(|r| {
            let (uploads, avg) = uploads_between(w, Some(r), w.week_start, w.now);
            let won = closed_between(w, Some(r), "won", w.week_start).len();
            let row = json!({
                "userId": w.users[r].id,
                "userName": w.users[r].name,
                "weekUploads": uploads,
                "avgMeddic": avg,
                "weekWon": won,
            });
            (uploads, row)
        })
        .collect();
    rows.sort_by_key(|r| Reverse(r.0));
    json!({
        "generatedAt": iso(at),
        "weeklyPerformance": rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
    })
}

fn mtd_uploads(w: &World, start: DateTime<Utc>, at: DateTime<Utc>) -> Json {
    let next = month_start(start.year(), start.month(), -1);
    let end = next.min(w.now);
    let convs: Vec<&Conv> = w
        .convs
        .iter()
        .filter(|c| c.created_at >= start && c.created_at < end)
        .collect();
    let mut by_user: Vec<(usize, Json)> = w
        .reps()
        .filter_map(|r| {
            let (uploads, avg) = uploads_between(w, Some(r), start, end);
            (uploads > 0).then(|| {
                let row = json!({
                    "userId": w.users[r].id,
                    "userName": w.users[r].name,
                    "dept": w.users[r].dept,
                    "uploads": uploads,
                    "avgMeddic": avg,
                });
                (uploads, row)
            })
        })
        .collect();
    by_user.sort_by_key(|r| Reverse(r.0));
    let mut by_day = Vec::new();
    let mut day = start;
    while day < end {
        let n = convs
            .iter()
            .filter(|c| c.created_at >= day && c.created_at < day + Duration::days(1))
            .count();
        by_day.push(json!({ "date": day.format("%Y-%m-%d").to_string(), "uploads": n }));
        day += Duration::days(1);
    }
    json!({
        "generatedAt": iso(at),
        "month": start.format("%Y-%m").to_string(),
        "from": iso(start),
        "to": iso(end),
        "totalUploads": convs.len(),
        "completed": convs.iter().filter(|c| c.status == "completed").count(),
        "failed": convs.iter().filter(|c| c.status == "failed").count(),
        "avgMeddic": mean(convs.iter().filter_map(|c| c.analysis.as_ref()).map(|a| f64::from(a.overall))),
        "byUser": by_user.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
        "byDay": by_day,
    })
}

fn period_stats(w: &World, r: usize, from: DateTime<Utc>, to: DateTime<Utc>) -> Json {
    let (uploads, avg) = uploads_between(w, Some(r), from, to);
    let closed = |status| {
        w.opps
            .iter()
            .filter(|o| {
                o.owner == r
                    && o.status == status
                    && o.closed_at.is_some_and(|t| t >= from && t < to)
            })
            .count()
    };
    json!({ "uploads": uploads, "avgMeddic": avg, "won": closed("won"), "lost": closed("lost") })
}

fn rep_report(w: &World, r: usize, at: DateTime<Utc>) -> Json {
    let user = &w.users[r];
    let mine = || w.opps.iter().filter(|o| o.owner == r);
    let pending: Vec<&Todo> = w.todos.iter().filter(|t| t.owner == r && !t.done).collect();
    let recent: Vec<Json> = w
        .convs
        .iter()
        .rev()
        .filter(|c| c.owner == r)
        .take(5)
        .map(|c| {
            json!({
                "id": c.id,
                "caseNumber": c.case_number,
                "companyName": w.opps[c.opp].company,
                "status": c.status,
                "meddicScore": c.analysis.as_ref().map(|a| a.overall),
                "createdAt": iso(c.created_at),
            })
        })
        .collect();
    let dims = dimension_averages(w, &[r]);
    let weakest = dims
        .iter()
        .filter_map(|(d, v)| v.map(|v| (*d, v)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(d, _)| d);
    json!({
        "generatedAt": iso(at),
        "userId": user.id,
        "userName": user.name,
        "dept": user.dept,
        "crmUserId": user.crm_id,
        "thisWeek": period_stats(w, r, w.week_start, w.now),
        "lastWeek": period_stats(w, r, w.last_week_start, w.week_start),
        "mtd": period_stats(w, r, w.month_start, w.now),
        "pipeline": {
            "open": mine().filter(|o| o.closed_at.is_none()).count(),
            "won": mine().filter(|o| o.status == "won").count(),
            "lost": mine().filter(|o| o.status == "lost").count(),
        },
        "todos": {
            "pending": pending.len(),
            "overdue": pending.iter().filter(|t| t.due < w.today).count(),
            "dueToday": pending.iter().filter(|t| t.due >= w.today && t.due < w.today + Duration::days(1)).count(),
        },
        "weakestDimension": weakest,
        "recentConversations": recent,
    })
}

fn ranking(w: &World, period: &str, from: DateTime<Utc>, at: DateTime<Utc>) -> Json {
    let mut rows: Vec<(usize, String, Json)> = w
        .reps()
        .map(|r| {
            let (uploads, avg) = uploads_between(w, Some(r), from, w.now);
            let won = closed_between(w, Some(r), "won", from).len();
            let row = json!({
                "userId": w.users[r].id,
                "userName": w.users[r].name,
                "dept": w.users[r].dept,
                "uploads": uploads,
                "avgMeddic": avg,
                "wonCount": won,
            });
            (uploads, w.users[r].name.clone(), row)
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let rankings: Vec<Json> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (_, _, mut row))| {
            if let Some(map) = row.as_object_mut() {
                map.insert("rank".into(), json!(i + 1));
            }
            row
        })
        .collect();
    json!({
        "generatedAt": iso(at),
        "period": period,
        "periodStart": iso(from),
        "periodEnd": iso(w.now),
        "rankings": rankings,
    })
}

// ---------------------------------------------------------------------------------------------
// Page caches (the per-user page caches)

fn page_caches(out: &mut Out, g: &mut Gen, w: &World) {
    conversation_details(out, g, w);
    opportunity_details(out, g, w);

    for u in 0..w.users.len() {
        let user = &w.users[u];
        let scope = w.scope(u);
        // Lists and aggregates are deleted on change and rebuilt on the next read, so at any
        // moment some of them are simply missing.
        if g.chance(0.8) {
            let items: Vec<Json> = w
                .convs
                .iter()
                .rev()
                .filter(|c| scope.contains(&c.owner))
                .take(100)
                .map(|c| conversation_list_item(w, c))
                .collect();
            let key = format!("user:{}:conversations:list", user.id);
            out.json(
                "user:{userId}:conversations:list",
                key,
                &json!(items),
                TTL_HOUR,
            );
        }
        if g.chance(0.7) {
            let items: Vec<Json> = w
                .opps
                .iter()
                .filter(|o| scope.contains(&o.owner))
                .map(|o| opportunity_list_item(w, o))
                .collect();
            let key = format!("user:{}:opportunities:list:all", user.id);
            out.json(
                "user:{userId}:opportunities:list:all",
                key,
                &json!(items),
                TTL_10_MIN,
            );
        }
        if g.chance(0.55) {
            let key = format!("user:{}:analytics:dashboard", user.id);
            out.json(
                "user:{userId}:analytics:dashboard",
                key,
                &dashboard(w, &scope),
                TTL_5_MIN,
            );
        }
        if user.role == Role::Rep && g.chance(0.7) {
            let key = format!("user:{}:analytics:repPerformance", user.id);
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

fn conversation_list_item(w: &World, c: &Conv) -> Json {
    json!({
        "id": c.id,
        "caseNumber": c.case_number,
        "title": c.title,
        "status": c.status,
        "opportunityCompanyName": w.opps[c.opp].company,
        "meddicScore": c.analysis.as_ref().map(|a| a.overall),
        "createdAt": iso(c.created_at),
    })
}

fn opportunity_list_item(w: &World, o: &Opp) -> Json {
    json!({
        "id": o.id,
        "customerNumber": o.customer_number,
        "companyName": o.company,
        "contactName": o.contact.as_ref().map(|c| c.name.clone()),
        "contactEmail": o.contact.as_ref().and_then(|c| c.email.clone()),
        "contactPhone": o.contact.as_ref().and_then(|c| c.phone.clone()),
        "status": o.status,
        "meddicScore": latest_score(w, o),
        "conversationCount": o.convs.len(),
        "createdAt": iso(o.created_at),
        "updatedAt": iso(o.updated_at),
    })
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

fn dashboard(w: &World, scope: &[usize]) -> Json {
    let convs: Vec<&Conv> = w
        .convs
        .iter()
        .filter(|c| scope.contains(&c.owner))
        .collect();
    let analysed: Vec<(&Conv, &Analysis)> = convs
        .iter()
        .filter_map(|c| c.analysis.as_ref().map(|a| (*c, a)))
        .collect();
    let distribution: Vec<Json> = ["Strong", "Medium", "Weak", "At Risk"]
        .iter()
        .map(|s| json!({ "status": s, "count": analysed.iter().filter(|(_, a)| a.status() == *s).count() }))
        .collect();
    let recent: Vec<Json> = analysed
        .iter()
        .rev()
        .take(10)
        .map(|(c, a)| {
            let opp = &w.opps[c.opp];
            json!({
                "id": a.id,
                "opportunityCompanyName": opp.company,
                "customerNumber": opp.customer_number,
                "overallScore": a.overall,
                "status": a.status(),
                "createdAt": iso(c.created_at + Duration::seconds(i64::from(c.processing_secs))),
            })
        })
        .collect();
    json!({
        "summary": {
            "totalOpportunities": w.opps.iter().filter(|o| scope.contains(&o.owner)).count(),
            "totalConversations": convs.len(),
            "totalAnalyses": analysed.len(),
            "averageScore": mean(analysed.iter().map(|(_, a)| f64::from(a.overall))).unwrap_or(0.0),
        },
        "statusDistribution": distribution,
        "recentAnalyses": recent,
    })
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

// ---------------------------------------------------------------------------------------------
// Voice-AI caches

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

fn voice_ai(out: &mut Out, g: &mut Gen, w: &World) {
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

// ---------------------------------------------------------------------------------------------
// Path-statistics snapshots

const RESOURCES: [&str; 15] = [
    "users",
    "orders",
    "products",
    "invoices",
    "payments",
    "sessions",
    "reports",
    "webhooks",
    "files",
    "search",
    "notifications",
    "carts",
    "coupons",
    "shipments",
    "reviews",
];
const ROUTES: [(&str, &str); 5] = [
    ("GET", "/api/v1/{r}"),
    ("GET", "/api/v1/{r}/:id"),
    ("POST", "/api/v1/{r}"),
    ("PATCH", "/api/v1/{r}/:id"),
    ("DELETE", "/api/v1/{r}/:id"),
];
/// Snapshot versions written; the weekly prune keeps the newest 5, so 3 are due for pruning.
const SNAPSHOT_VERSIONS: u32 = 8;

fn path_stats(out: &mut Out, g: &mut Gen, now: DateTime<Utc>) {
    let mut paths: Vec<(&str, String)> = Vec::new();
    for (method, route) in ROUTES {
        for r in RESOURCES {
            paths.push((method, route.replace("{r}", r)));
        }
    }
    paths.shuffle(&mut g.0);

    for version in 1..=SNAPSHOT_VERSIONS {
        // Refreshed every 10 queue batches, roughly every few minutes under load.
        let created_at =
            now - Duration::minutes(i64::from(SNAPSHOT_VERSIONS - version) * 9 + g.int(1, 5));
        let count = (57 + 2 * version as usize).min(paths.len());
        let mut rows: Vec<(u64, Json)> = paths[..count]
            .iter()
            .enumerate()
            .map(|(rank, (method, path))| {
                let requests =
                    (250_000.0 / (rank as f64 + 1.0).powf(1.2) * g.float(0.9, 1.1)) as u64 + 3;
                let errors = (requests as f64 * g.float(0.0, 0.03)) as u64;
                let avg = g.float(12.0, 180.0);
                let row = json!({
                    "method": method,
                    "path": path,
                    "requests": requests,
                    "errors": errors,
                    "errorRate": round2(errors as f64 * 100.0 / requests as f64),
                    "avgResponseMs": round1(avg),
                    "p95ResponseMs": round1(avg * g.float(2.0, 4.5)),
                    "lastSeenAt": iso(created_at - Duration::seconds(g.int(0, 300))),
                });
                (requests, row)
            })
            .collect();
        rows.sort_by_key(|r| Reverse(r.0));
        let snapshot = json!({
            "version": version,
            "createdAt": iso(created_at),
            "windowHours": 24,
            "pathCount": count,
            "totalRequests": rows.iter().map(|(n, _)| n).sum::<u64>(),
            "paths": rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
        });
        // Compressing into memory cannot fail; were it to, the snapshot is simply not seeded.
        let Ok(bytes) = gzip(snapshot.to_string().as_bytes()) else {
            continue;
        };
        let metadata = json!({
            "version": version,
            "createdAt": iso(created_at),
            "encoding": "gzip",
            "contentType": "application/json",
            "pathCount": count,
        });
        out.raw(
            "snapshot:path-stats:v{N}",
            format!("snapshot:path-stats:v{version}"),
            bytes,
            None,
            Some(metadata),
        );
    }
    out.raw(
        "snapshot:path-stats:latest",
        "snapshot:path-stats:latest".into(),
        SNAPSHOT_VERSIONS.to_string().into_bytes(),
        None,
        None,
    );
    // The batch counter: a snapshot is refreshed when it reaches a multiple of 10.
    let counter = SNAPSHOT_VERSIONS * 10 + g.int(1, 9) as u32;
    out.raw(
        "queue:snapshot_counter",
        "queue:snapshot_counter".into(),
        counter.to_string().into_bytes(),
        None,
        None,
    );
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use chrono::TimeZone;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::error::Error;
    use crate::kv::{BulkOutcome, KeyPage, ListOptions, Value};

    /// Every family the seed must cover, as templates.
    const FAMILIES: [&str; 25] = [
        "conversation:{id}:detail",
        "enhanced:user:{userId}:call:{callId}",
        "intent:user:{userId}:analysis:{callId}",
        "intent:user:{userId}:summary",
        "manager:{managerId}:analytics:teamPerformance",
        "opportunity:{id}:detail",
        "queue:snapshot_counter",
        "recordings:user:{userId}:call:{callId}",
        "recordings:user:{userId}:call:{callId}:waveform",
        "recordings:user:{userId}:page:{page}:limit:{limit}",
        "report:attention-needed",
        "report:close-cases",
        "report:mtd-uploads:{YYYY-MM}",
        "report:rep:{userId}",
        "report:system-health",
        "report:team:{dept}",
        "report:todo-stats",
        "report:upload-ranking:monthly",
        "report:upload-ranking:weekly",
        "snapshot:path-stats:latest",
        "snapshot:path-stats:v{N}",
        "user:{userId}:analytics:dashboard",
        "user:{userId}:analytics:repPerformance",
        "user:{userId}:conversations:list",
        "user:{userId}:opportunities:list:all",
    ];

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 31, 13, 42, 17)
            .single()
            .expect("valid date")
    }

    fn entries() -> Vec<Entry> {
        demo_entries(&SeedOptions::default(), now())
    }

    fn json_of(entries: &[Entry], key: &str) -> Json {
        let entry = entries.iter().find(|e| e.key == key).expect(key);
        serde_json::from_slice(&entry.value).expect("JSON value")
    }

    #[test]
    fn same_seed_and_clock_give_identical_entries() {
        let a = entries();
        assert_eq!(a, entries());
        let other = demo_entries(
            &SeedOptions {
                seed: 8,
                ..SeedOptions::default()
            },
            now(),
        );
        assert_ne!(a, other);
    }

    #[test]
    fn every_family_is_present_and_keys_are_unique() {
        let seeded = build(&SeedOptions::default(), now());
        let summary = summarize(&seeded.iter().collect::<Vec<_>>());
        let families: Vec<&str> = summary.families.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(families, FAMILIES.to_vec());
        assert!(summary.families.iter().all(|(_, n)| *n > 0));

        let keys: BTreeSet<&str> = seeded.iter().map(|s| s.entry.key.as_str()).collect();
        assert_eq!(keys.len(), seeded.len(), "duplicate keys");
        for dept in TEAM_KEYS {
            assert!(
                keys.contains(format!("report:team:{dept}").as_str()),
                "{dept}"
            );
        }
        for month in ["2026-01", "2025-12", "2025-11"] {
            assert!(
                keys.contains(format!("report:mtd-uploads:{month}").as_str()),
                "{month}"
            );
        }
        for v in 1..=8 {
            assert!(keys.contains(format!("snapshot:path-stats:v{v}").as_str()));
        }
        // Keys really follow their templates: the placeholders are filled in.
        assert!(seeded.iter().all(|s| !s.entry.key.contains('{')));
        // Mixed user id styles.
        assert!(keys.iter().any(|k| k.starts_with("report:rep:u_")));
        assert!(keys
            .iter()
            .any(|k| k.starts_with("report:rep:") && k.len() == "report:rep:".len() + 36));
    }

    #[test]
    fn sizes_and_counts_stay_modest() {
        let seeded = build(&SeedOptions::default(), now());
        let summary = summarize(&seeded.iter().collect::<Vec<_>>());
        assert!((1000..=2000).contains(&summary.keys), "{summary:?}");
        assert!(summary.bytes < 15_000_000, "{summary:?}");
        assert!(summary.large >= 2, "{summary:?}");
        assert!(summary.binary >= 3, "{summary:?}");
        assert!(
            summary.expiring > 0 && summary.expiring < summary.keys,
            "{summary:?}"
        );
    }

    #[test]
    fn large_binary_expiring_and_permanent_values_exist() {
        let entries = entries();
        let large = entries
            .iter()
            .filter(|e| e.value.len() > 1024 * 1024)
            .count();
        assert!(large >= 2, "{large} values above 1 MiB");
        let binary = entries
            .iter()
            .filter(|e| std::str::from_utf8(&e.value).is_err())
            .count();
        assert!(binary >= 3, "{binary} binary values");
        assert!(entries.iter().any(|e| e.options.expiry == Expiry::Never));
        assert!(entries
            .iter()
            .any(|e| matches!(e.options.expiry, Expiry::Ttl(_))));
        let ttl_of = |key: &str| {
            entries
                .iter()
                .find(|e| e.key == key)
                .map(|e| e.options.expiry)
        };
        assert_eq!(ttl_of("report:system-health"), Some(Expiry::Ttl(3600)));
        assert_eq!(ttl_of("report:close-cases"), Some(Expiry::Ttl(86_400)));
        assert_eq!(ttl_of("report:upload-ranking:weekly"), Some(Expiry::Never));
        assert_eq!(ttl_of("snapshot:path-stats:v3"), Some(Expiry::Never));
    }

    #[test]
    fn every_entry_respects_kv_limits() {
        let entries = entries();
        limits::check_entries(&entries, now().timestamp()).expect("within KV limits");
        let small = demo_entries(&SeedOptions { users: 1, seed: 99 }, now());
        limits::check_entries(&small, now().timestamp()).expect("within KV limits");
        assert!(!small.is_empty());
    }

    #[test]
    fn system_health_has_the_documented_shape() {
        let entries = entries();
        let health = json_of(&entries, "report:system-health");
        let generated = health["generatedAt"].as_str().expect("generatedAt");
        let generated = DateTime::parse_from_rfc3339(generated).expect("ISO timestamp");
        assert!((now() - generated.with_timezone(&Utc)).num_minutes() < 15);
        let last24 = &health["processing"]["last24h"];
        for field in ["completed", "failed", "inProgress", "avgProcessingTime"] {
            assert!(last24[field].is_number(), "{field}");
        }
        assert!(last24["completed"].as_u64().is_some());
        let errors = health["processing"]["errorsByCode"]
            .as_object()
            .expect("errorsByCode");
        assert!(!errors.is_empty());
        for error in errors.values() {
            let stage = error["stage"].as_str().expect("stage");
            assert!(
                ["audio", "download", "transcription", "analysis", "database"].contains(&stage)
            );
            assert_eq!(
                error["count"].as_u64(),
                error["cases"].as_array().map(|c| c.len() as u64)
            );
        }
        assert!(health["processing"]["stuckCases"].is_array());
        for period in ["thisWeek", "lastWeek"] {
            assert!(health["weeklyComparison"][period]["uploads"].is_number());
            assert!(health["weeklyComparison"][period]["avgMeddic"].is_number());
        }
        assert!(health["weeklyComparison"]["change"]["uploadsPercent"].is_number());
        assert!(health["weeklyComparison"]["change"]["meddicDiff"].is_number());

        let metadata = entries
            .iter()
            .find(|e| e.key == "report:system-health")
            .and_then(|e| e.options.metadata.as_ref().map(|m| m.to_value()))
            .expect("metadata");
        assert_eq!(metadata["source"], "precompute");
        assert_eq!(metadata["generatedAt"], health["generatedAt"]);
    }

    #[test]
    fn other_reports_have_their_documented_fields() {
        let entries = entries();
        let close = json_of(&entries, "report:close-cases");
        for field in ["won", "lost", "wonCount", "lostCount", "winRate"] {
            assert!(!close["thisWeek"][field].is_null(), "thisWeek.{field}");
        }
        assert!(close["mtd"]["winRate"].is_number());
        let attention = json_of(&entries, "report:attention-needed");
        for field in ["staleHighScore", "noTodos", "inactiveReps"] {
            assert!(attention[field].is_array(), "{field}");
        }
        let todos = json_of(&entries, "report:todo-stats");
        assert!(todos["overdue"]["total"].is_number() && todos["overdue"]["byUser"].is_object());
        assert!(todos["dueToday"]["byUser"].is_object() && todos["pendingFollowUps"].is_array());
        let team = json_of(&entries, "report:team:default");
        let rows = team["weeklyPerformance"]
            .as_array()
            .expect("weeklyPerformance");
        assert!(!rows.is_empty());
        for field in ["userId", "userName", "weekUploads", "avgMeddic", "weekWon"] {
            assert!(rows[0].get(field).is_some(), "{field}");
        }
        for e in entries.iter().filter(|e| e.key.starts_with("report:")) {
            let value: Json = serde_json::from_slice(&e.value).expect("report JSON");
            assert!(value["generatedAt"].is_string(), "{}", e.key);
            let metadata = e
                .options
                .metadata
                .as_ref()
                .expect("report metadata")
                .to_value();
            assert_eq!(metadata["contentHash"], content_hash(&e.value));
        }
    }

    #[test]
    fn page_payloads_have_their_documented_fields() {
        let entries = entries();
        let list = entries
            .iter()
            .filter(|e| e.key.ends_with(":conversations:list"))
            .map(|e| serde_json::from_slice::<Json>(&e.value).expect("list JSON"))
            .max_by_key(|v| v.as_array().map_or(0, Vec::len))
            .expect("a conversations list");
        let items = list.as_array().expect("array");
        assert_eq!(
            items.len(),
            100,
            "the admin's list is capped at the newest 100"
        );
        for field in [
            "id",
            "caseNumber",
            "title",
            "status",
            "opportunityCompanyName",
            "meddicScore",
            "createdAt",
        ] {
            assert!(items[0].get(field).is_some(), "{field}");
        }
        let dashboard = entries
            .iter()
            .find(|e| e.key.ends_with(":analytics:dashboard"))
            .map(|e| serde_json::from_slice::<Json>(&e.value).expect("dashboard JSON"))
            .expect("a dashboard");
        assert!(dashboard["summary"]["averageScore"].is_number());
        assert_eq!(
            dashboard["statusDistribution"].as_array().map(Vec::len),
            Some(4)
        );

        let detail = entries
            .iter()
            .find(|e| e.key.starts_with("conversation:") && e.value.len() < 1024 * 1024)
            .expect("a typical detail");
        assert!(
            (40_000..130_000).contains(&detail.value.len()),
            "{}",
            detail.value.len()
        );
        let detail: Json = serde_json::from_slice(&detail.value).expect("detail JSON");
        assert!(detail["transcript"]["segments"][0]["startTime"].is_number());
        assert!(detail["meddicAnalysis"]["dimensions"]["economicBuyer"]["score"].is_number());
        assert!(detail["duration"].as_u64().is_some_and(|d| d > 0));
    }

    #[test]
    fn crm_ids_beyond_2_pow_53_are_raw_json_numbers() {
        let entries = entries();
        let entry = entries
            .iter()
            .find(|e| e.key.starts_with("report:rep:"))
            .expect("a rep report");
        let text = std::str::from_utf8(&entry.value).expect("UTF-8");
        let at = text.find("\"crmUserId\":").expect("crmUserId") + "\"crmUserId\":".len();
        let digits: String = text[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let id: u64 = digits.parse().expect("an unquoted integer");
        assert!(id > 1 << 53);
        assert!(entries
            .iter()
            .any(|e| e.value.windows(19).any(|w| w == b"9007199254740993123")));
    }

    #[test]
    fn snapshots_are_gzipped_json_with_matching_metadata() {
        let entries = entries();
        for v in 1..=8u64 {
            let entry = entries
                .iter()
                .find(|e| e.key == format!("snapshot:path-stats:v{v}"))
                .expect("snapshot");
            assert!(std::str::from_utf8(&entry.value).is_err(), "gzip is binary");
            let mut text = String::new();
            flate2::read::GzDecoder::new(entry.value.as_slice())
                .read_to_string(&mut text)
                .expect("gunzip");
            let snapshot: Json = serde_json::from_str(&text).expect("snapshot JSON");
            let metadata = entry
                .options
                .metadata
                .as_ref()
                .expect("metadata")
                .to_value();
            assert_eq!(snapshot["version"], v);
            assert_eq!(metadata["version"], v);
            assert_eq!(metadata["encoding"], "gzip");
            assert_eq!(metadata["pathCount"], snapshot["pathCount"]);
        }
        let latest = entries
            .iter()
            .find(|e| e.key == "snapshot:path-stats:latest")
            .expect("latest");
        assert_eq!(latest.value, b"8");
    }

    /// A store that keeps entries in memory and records each bulk write.
    #[derive(Default)]
    struct MemStore {
        entries: Mutex<BTreeMap<String, Vec<u8>>>,
        chunks: Mutex<Vec<usize>>,
    }

    #[async_trait]
    impl KvStore for MemStore {
        fn describe(&self) -> String {
            "memory".into()
        }
        async fn list(&self, _: &ListOptions) -> Result<KeyPage> {
            Ok(KeyPage::default())
        }
        async fn get(&self, _: &str) -> Result<Option<Value>> {
            Ok(None)
        }
        async fn put(&self, _: &str, _: &[u8], _: &PutOptions) -> Result<()> {
            Ok(())
        }
        async fn delete(&self, _: &str) -> Result<()> {
            Ok(())
        }
        async fn bulk_put(&self, entries: &[Entry]) -> Result<BulkOutcome> {
            let mut map = self.entries.lock().expect("lock");
            for e in entries {
                map.insert(e.key.clone(), e.value.clone());
            }
            self.chunks.lock().expect("lock").push(entries.len());
            Ok(BulkOutcome {
                succeeded: entries.len(),
                failed: Vec::new(),
            })
        }
        async fn bulk_delete(&self, _: &[String]) -> Result<BulkOutcome> {
            Ok(BulkOutcome::default())
        }
        async fn bulk_get(&self, _: &[String]) -> Result<Vec<Option<Value>>> {
            Ok(Vec::new())
        }
    }

    #[tokio::test]
    async fn seed_writes_in_chunks_and_reports_progress() {
        let store = MemStore::default();
        let updates = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&updates);
        let progress = Progress::new(CancellationToken::new(), move |u| {
            sink.lock().expect("lock").push((u.phase, u.done, u.total));
        });
        let summary = seed(&store, &SeedOptions::default(), &progress)
            .await
            .expect("seeded");

        assert_eq!(store.entries.lock().expect("lock").len(), summary.keys);
        let chunks = store.chunks.lock().expect("lock").clone();
        assert!(
            chunks.len() >= 2 && chunks.iter().all(|&n| n <= CHUNK),
            "{chunks:?}"
        );
        assert_eq!(chunks.iter().sum::<usize>(), summary.keys);
        let updates = updates.lock().expect("lock").clone();
        assert_eq!(
            updates.first(),
            Some(&("seed", 0, Some(summary.keys as u64)))
        );
        assert_eq!(
            updates.last(),
            Some(&("seed", summary.keys as u64, Some(summary.keys as u64)))
        );
        assert_eq!(summary.families.len(), FAMILIES.len());
        assert!(summary.large >= 2 && summary.binary >= 3);
    }

    #[tokio::test]
    async fn seed_stops_between_chunks_when_cancelled() {
        let store = MemStore::default();
        let token = CancellationToken::new();
        let cancel = token.clone();
        let progress = Progress::new(token, move |u| {
            if u.done >= CHUNK as u64 {
                cancel.cancel();
            }
        });
        let err = seed(&store, &SeedOptions::default(), &progress)
            .await
            .expect_err("cancelled");
        assert!(matches!(err, Error::Cancelled), "{err}");
        assert_eq!(store.chunks.lock().expect("lock").clone(), vec![CHUNK]);
    }
}
