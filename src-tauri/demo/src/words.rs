//! The demo's word lists: people's names (shared by the sales source data and the demo keys),
//! customer companies, call transcript lines, MEDDIC dimensions and their coaching texts, call
//! intents, carriers and cities. Every name and company is fictional; mail domains use the
//! reserved `.example` top-level domain.

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
pub(crate) const ZH_COMPANIES: [(&str, &str); 24] = [
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
pub(crate) const EN_COMPANIES: [(&str, &str); 16] = [
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

pub(crate) const ZH_REP_LINES: [&str; 16] = [
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
pub(crate) const ZH_CUSTOMER_LINES: [&str; 16] = [
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
pub(crate) const EN_REP_LINES: [&str; 16] = [
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
pub(crate) const EN_CUSTOMER_LINES: [&str; 16] = [
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

/// MEDDIC dimensions, in the order of an analysis's per-dimension scores.
pub(crate) const DIMENSIONS: [&str; 6] = [
    "metrics",
    "economicBuyer",
    "decisionCriteria",
    "decisionProcess",
    "identifyPain",
    "champion",
];
pub(crate) const ZH_EVIDENCE: [&str; 6] = [
    "客戶提到報表整理每週耗時兩到三天，希望縮短七成。",
    "預算需由總經理核准，尚未安排與總經理會面。",
    "客戶重視資安認證、ERP 整合與導入時程。",
    "採購需三層簽核，法務審約約需兩週。",
    "資料分散於三個系統，無法即時掌握業務進度。",
    "業務經理主動提議安排 IT 主管參與下次會議。",
];
pub(crate) const EN_EVIDENCE: [&str; 6] = [
    "Customer quantified reporting effort at two to three days a week and wants a 70% reduction.",
    "Budget sign-off sits with the COO; no meeting with her has been arranged yet.",
    "Security certification, ERP integration and rollout time were named as criteria.",
    "Procurement needs three approvals; legal review takes about two weeks.",
    "Pipeline data is spread over three systems with no real-time view.",
    "The sales manager offered to bring the IT lead to the next meeting.",
];
pub(crate) const ZH_GAPS: [&str; 6] = [
    "尚未確認量化的投資報酬目標。",
    "未直接接觸經濟決策者。",
    "尚未取得正式的評估標準清單。",
    "決策時程與簽核關卡仍不明確。",
    "痛點對營收的影響尚未量化。",
    "內部支持者的影響力有待確認。",
];
pub(crate) const EN_GAPS: [&str; 6] = [
    "No agreed, quantified ROI target yet.",
    "No direct access to the economic buyer.",
    "No written list of evaluation criteria.",
    "Decision timeline and approval steps remain unclear.",
    "Revenue impact of the pain has not been quantified.",
    "The champion's influence is unconfirmed.",
];
pub(crate) const ZH_FINDINGS: [&str; 6] = [
    "客戶對自動摘要功能反應正面，可作為差異化重點。",
    "競品正在同步評估中，價格是主要考量。",
    "IT 部門對 ERP 整合有疑慮，需安排技術說明。",
    "預算已編列，但需於第三季前完成決策。",
    "前次系統導入失敗，客戶對導入風險較敏感。",
    "決策者重視數據，建議準備同業案例與 ROI 試算。",
];
pub(crate) const EN_FINDINGS: [&str; 6] = [
    "The automatic summaries landed well and can anchor the differentiation.",
    "A competitor is being evaluated in parallel; price is the main lever.",
    "IT has open concerns about the ERP integration; a technical session is needed.",
    "Budget exists but must be committed before the end of Q3.",
    "A failed rollout two years ago makes the customer wary of implementation risk.",
    "The decision maker is data-driven; prepare a peer case study and an ROI model.",
];
pub(crate) const ZH_NEXT_STEPS: [&str; 5] = [
    "寄送提案與導入時程",
    "安排與總經理的高層簡報",
    "邀請 IT 主管參加整合技術會議",
    "提供同業導入案例與 ROI 試算",
    "確認法務審約時程",
];
pub(crate) const EN_NEXT_STEPS: [&str; 5] = [
    "Send the proposal and rollout plan",
    "Book an executive briefing with the COO",
    "Run an integration session with the IT lead",
    "Share a peer case study and ROI model",
    "Confirm the legal review timeline",
];

pub(crate) const INTENTS: [&str; 7] = [
    "purchase_intent",
    "pricing_inquiry",
    "support_request",
    "appointment_booking",
    "follow_up_request",
    "complaint",
    "not_interested",
];
pub(crate) const INTENT_SUMMARIES: [&str; 7] = [
    "Caller wants to buy the annual plan for a team of 12 and asked about onboarding.",
    "Caller compared our pricing with a competitor and asked for a volume discount.",
    "Existing customer reported that call recordings stopped syncing since Monday.",
    "Caller booked an on-site demo for next Wednesday at 10:00.",
    "Caller asked for the proposal to be resent and a follow-up call on Friday.",
    "Customer complained about a duplicate charge on the last invoice.",
    "Caller is not interested and asked to be removed from the call list.",
];
pub(crate) const CARRIERS: [&str; 6] = [
    "Chunghwa Telecom",
    "Taiwan Mobile",
    "FarEasTone",
    "Verizon",
    "AT&T",
    "T-Mobile",
];
pub(crate) const CITIES: [(&str, &str, &str); 6] = [
    ("Taipei", "Taipei City", "TW"),
    ("Taichung", "Taichung City", "TW"),
    ("Kaohsiung", "Kaohsiung City", "TW"),
    ("San Francisco", "CA", "US"),
    ("Austin", "TX", "US"),
    ("Seattle", "WA", "US"),
];
