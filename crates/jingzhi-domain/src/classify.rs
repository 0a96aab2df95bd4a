//! 事项分类 (classification): suggest the matter of a clue from its text, with a confidence, the
//! reasons (matched phrases), alternatives, and — for texts outside the 城管 remit — the topic, the
//! suggested department and the reply.
//!
//! # Method (details and figures in `docs/classification.md`)
//!
//! Two sources of evidence are added in one score (logit) per matter:
//!
//! 1. **Phrase rules** from the catalogue (`phrases` / `negative_phrases` of each matter, and the
//!    phrases of each out-of-remit topic). A rule score is the sum of the weights of the phrases
//!    found in the text, minus the negative phrases. A phrase inside a denied clause (不是…/并非…/
//!    不属于…, up to the next punctuation; the question 是不是 is not a denial) is not counted.
//! 2. **A statistical model** trained at start-up: multinomial logistic regression (softmax, SGD,
//!    L2) over character unigrams and bigrams of the normalised text (full-width folded, digit runs
//!    collapsed, denied clauses dropped) plus ASCII words. It learns from the labelled texts and,
//!    with a small weight, from the catalogue phrases themselves as extra short texts. 其他 is
//!    modelled as one class per out-of-remit topic plus a plain class (a heterogeneous bag is
//!    hard to learn; coherent topics are easy), summed back into 其他.
//!
//! `logit(class) = w_class · x + b_class + β · rules(class) [+ hint bonus]`; the confidence is the
//! softmax probability summed per matter. Hyper-parameters were chosen by 5-fold cross-validation
//! on the training corpus with the phrases that occur only in the held-out fold removed (the
//! phrases were written while reading that corpus). Training is deterministic (fixed example
//! order, no hash-order iteration), pure Rust, and takes tens of milliseconds in a release build.
//!
//! Corrections by dispatchers are simply more labelled texts: the app appends them to the corpus
//! and calls [`Classifier::train`] again.

use crate::matter::{Catalogue, OTHER_CODE, OutOfRemitTopic, Phrase};
use crate::org::DepartmentKind;
use crate::search::{is_cjk, normalize};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The shipped training corpus (`data/corpus/classify.tsv`, columns `matter_code\ttext`).
pub const DEFAULT_TRAIN_TSV: &str = include_str!("../../../data/corpus/classify.tsv");
/// The shipped held-out corpus (`data/corpus/classify-dev.tsv`), used for measurement.
pub const DEFAULT_DEV_TSV: &str = include_str!("../../../data/corpus/classify-dev.tsv");

/// Matters whose place is normally inside a residential compound (for [`Hints::in_compound`]).
const COMPOUND_MATTERS: [&str; 7] = [
    "illegal_construction",
    "load_bearing_damage",
    "renovation_violation",
    "common_area_occupation",
    "group_rental",
    "ebike_charging",
    "waste_sorting",
];
/// Matters whose place is normally a street or public space.
const STREET_MATTERS: [&str; 6] = [
    "street_vending",
    "cross_door_business",
    "disorderly_stalls",
    "shared_bike_parking",
    "outdoor_signage",
    "catering_fumes",
];

/// Words that deny what follows (不是油烟的问题). 是不是 (a question) is excluded; 没有 is excluded on
/// purpose: in complaints it names a missing obligation (没有覆盖, 没有登记, 没有油烟净化器).
const DENIALS: [&str; 8] = ["并不是", "不是", "并非", "而非", "不属于", "不涉及", "无关", "不算"];

/// A labelled text: (matter code, text).
pub type Labelled = (String, String);

/// Parses a corpus in the TSV form of `data/corpus/classify.tsv`: a header line `matter_code\ttext`,
/// then one `code<TAB>text` per line. Blank lines and lines starting with `#` are skipped.
pub fn parse_corpus_tsv(text: &str) -> Result<Vec<Labelled>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') || (i == 0 && line.starts_with("matter_code")) {
            continue;
        }
        let Some((code, t)) = line.split_once('\t') else {
            return Err(format!("语料第{}行缺少制表符分隔的事项代码和文本", i + 1));
        };
        let (code, t) = (code.trim(), t.trim());
        if code.is_empty() || t.is_empty() {
            return Err(format!("语料第{}行事项代码或文本为空", i + 1));
        }
        out.push((code.to_string(), t.to_string()));
    }
    Ok(out)
}

/// Hyper-parameters of the classifier. [`Default`] holds the values chosen by 5-fold
/// cross-validation on the training corpus (see `docs/classification.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Params {
    /// Longest character n-gram (1..=4).
    pub ngram_max: usize,
    /// Weight β of the phrase-rule score in the logit.
    pub rule_weight: f64,
    /// L2 regularisation strength λ.
    pub l2: f64,
    /// Training epochs of stochastic gradient descent.
    pub epochs: usize,
    /// Initial learning rate.
    pub learning_rate: f64,
    /// Logit bonus for matters the hints make likely.
    pub hint_bonus: f64,
    /// Model 其他 as one class per out-of-remit topic (summed back), rather than one class.
    pub split_other: bool,
    /// Weight of the catalogue phrases as extra short training texts (0 = off).
    pub phrase_docs: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            ngram_max: 2,
            rule_weight: 0.25,
            l2: 1e-4,
            epochs: 30,
            learning_rate: 4.0,
            hint_bonus: 0.5,
            split_other: true,
            phrase_docs: 0.3,
        }
    }
}

/// What the channel and place say about a clue (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hints {
    /// The clue is a property company's report (物业报告): compound matters are likely, and
    /// complaints about the property company itself (物业费…) are not.
    #[serde(default)]
    pub property_report: bool,
    /// The place is inside a residential compound (`Some(true)`), on a street (`Some(false)`), or
    /// unknown.
    #[serde(default)]
    pub in_compound: Option<bool>,
    /// Matters the channel makes likely (e.g. the matters of a 专项行动).
    #[serde(default)]
    pub likely_matters: Vec<String>,
}

/// A matter as returned by the classifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatterRef {
    pub code: String,
    pub name: String,
}

/// Another candidate matter with its confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    pub code: String,
    pub name: String,
    pub confidence: f64,
}

/// For a text outside the remit: the topic, the department to return/transfer it to, the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfRemit {
    /// Code of the out-of-remit topic (`property_service`, `neighbour_noise`…).
    pub code: String,
    /// Chinese topic name.
    pub topic: String,
    pub suggested_department: DepartmentKind,
    /// Chinese reply to the reporter / 退单 reason.
    pub reply: String,
}

/// The classifier's suggestion. Serialises as
/// `{"matter": {"code", "name"}, "confidence", "reasons": [...], "alternatives": [{"code", "name", "confidence"}], "out_of_remit": {...} | null}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub matter: MatterRef,
    /// Probability of the suggested matter, 0..1.
    pub confidence: f64,
    /// Why, in Chinese: matched phrases first (命中“油烟”), then the model's view.
    pub reasons: Vec<String>,
    /// The next most likely matters (at most 3, confidence ≥ 0.01), most likely first.
    pub alternatives: Vec<Alternative>,
    /// Set when the suggested matter is 其他 and an out-of-remit topic matched.
    pub out_of_remit: Option<OutOfRemit>,
}

struct ClassRules {
    positive: Vec<NormPhrase>,
    negative: Vec<NormPhrase>,
}

/// A phrase with its text normalised once (full-width folded, lower-case), for matching.
#[derive(Debug, Clone)]
struct NormPhrase {
    first: char,
    norm: String,
    text: String,
    weight: u8,
}

fn normalized_phrases(list: &[Phrase]) -> Vec<NormPhrase> {
    list.iter()
        .filter_map(|p| {
            let norm = normalize(&p.text);
            Some(NormPhrase {
                first: norm.chars().next()?,
                norm,
                text: p.text.clone(),
                weight: p.weight,
            })
        })
        .collect()
}

/// An out-of-remit topic prepared for matching.
#[derive(Debug, Clone)]
struct Topic {
    info: OutOfRemitTopic,
    phrases: Vec<NormPhrase>,
}

/// A class of the model. 其他 is split into one class per out-of-remit topic plus a plain class:
/// "other" texts are heterogeneous (物业费, 公交, 漏水…), and one coherent class per topic is far
/// easier to learn than one bag; their probabilities are summed back into 其他.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Class {
    /// Index of the catalogue matter.
    matter: usize,
    /// For a sub-class of 其他: the topic.
    topic: Option<usize>,
}

/// A trained classifier. Cheap to clone; train once at start-up and after corrections.
#[derive(Clone)]
pub struct Classifier {
    codes: Vec<String>,
    names: Vec<String>,
    rules: std::sync::Arc<Vec<ClassRules>>,
    topics: std::sync::Arc<Vec<Topic>>,
    other: usize,
    classes: Vec<Class>,
    vocab: std::sync::Arc<crate::fasthash::FastMap<String, u32>>,
    /// Row-major: feature × class.
    weights: std::sync::Arc<Vec<f64>>,
    bias: Vec<f64>,
    params: Params,
    trained_on: usize,
    ignored: usize,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("matters", &self.codes.len())
            .field("classes", &self.classes.len())
            .field("features", &self.vocab.len())
            .field("trained_on", &self.trained_on)
            .field("ignored", &self.ignored)
            .field("params", &self.params)
            .finish()
    }
}

/// The shipped classifier: the default catalogue, trained on the train **and** dev corpora (all
/// the labelled data the repository has; the measured figures train on train only).
pub fn default_classifier() -> Classifier {
    let cat = crate::matter::default_catalogue();
    let mut data = parse_corpus_tsv(DEFAULT_TRAIN_TSV).expect("shipped corpus parses");
    data.extend(parse_corpus_tsv(DEFAULT_DEV_TSV).expect("shipped corpus parses"));
    Classifier::train(&cat, &data)
}

/// Rule evidence for one text.
struct RuleEvidence {
    /// Per matter: phrase score and hits.
    matters: Vec<RuleScore>,
    /// Per topic: phrase score and hits.
    topics: Vec<(f64, Vec<Hit>)>,
}

impl RuleEvidence {
    /// The best topic by phrase score (ties: file order), if any phrase matched.
    fn best_topic(&self) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, (s, _)) in self.topics.iter().enumerate() {
            if *s > 0.0 && best.is_none_or(|b| *s > b.1) {
                best = Some((i, *s));
            }
        }
        best.map(|b| b.0)
    }
}

impl Classifier {
    /// Trains on labelled `(matter code, text)` pairs with the default parameters. Pairs whose code
    /// is not in the catalogue are ignored (counted in [`Classifier::ignored`]).
    pub fn train(catalogue: &Catalogue, labelled: &[Labelled]) -> Classifier {
        Classifier::train_with(catalogue, labelled, &Params::default())
    }

    /// Trains with explicit parameters (for cross-validation).
    pub fn train_with(catalogue: &Catalogue, labelled: &[Labelled], params: &Params) -> Classifier {
        let codes: Vec<String> = catalogue.matters().iter().map(|m| m.code.clone()).collect();
        let names: Vec<String> = catalogue.matters().iter().map(|m| m.name.clone()).collect();
        let rules: Vec<ClassRules> = catalogue
            .matters()
            .iter()
            .map(|m| ClassRules {
                positive: normalized_phrases(&m.phrases),
                negative: normalized_phrases(&m.negative_phrases),
            })
            .collect();
        let topics: Vec<Topic> = catalogue
            .out_of_remit()
            .iter()
            .map(|t| Topic {
                info: t.clone(),
                phrases: normalized_phrases(&t.phrases),
            })
            .collect();
        let other = codes.iter().position(|c| c == OTHER_CODE).unwrap_or(codes.len() - 1);
        let mut classes: Vec<Class> = (0..codes.len()).map(|m| Class { matter: m, topic: None }).collect();
        if params.split_other {
            classes.extend((0..topics.len()).map(|t| Class {
                matter: other,
                topic: Some(t),
            }));
        }
        let mut clf = Classifier {
            codes,
            names,
            rules: std::sync::Arc::new(rules),
            topics: std::sync::Arc::new(topics),
            other,
            classes,
            vocab: Default::default(),
            weights: Default::default(),
            bias: Vec::new(),
            params: params.clone(),
            trained_on: 0,
            ignored: 0,
        };
        clf.fit(labelled);
        clf
    }

    /// Number of labelled texts used.
    pub fn trained_on(&self) -> usize {
        self.trained_on
    }

    /// Number of labelled texts ignored (unknown matter code).
    pub fn ignored(&self) -> usize {
        self.ignored
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The model class of a labelled text: its matter, or for 其他 the sub-class of its best topic.
    fn class_of(&self, matter: usize, ev: &RuleEvidence) -> usize {
        if matter == self.other
            && let Some(t) = ev.best_topic()
            && let Some(c) = self.classes.iter().position(|c| c.topic == Some(t))
        {
            return c;
        }
        matter
    }

    fn fit(&mut self, labelled: &[Labelled]) {
        let k = self.classes.len();
        let index: BTreeMap<&str, usize> = self.codes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        // Vocabulary in first-seen order (deterministic); documents as sorted feature ids.
        let mut vocab: crate::fasthash::FastMap<String, u32> = Default::default();
        struct Doc {
            y: usize,
            ids: Vec<u32>,
            scale: f64,
            weight: f64,
        }
        let mut docs: Vec<Doc> = Vec::with_capacity(labelled.len());
        for (code, text) in labelled {
            let Some(&matter) = index.get(code.trim()) else {
                self.ignored += 1;
                continue;
            };
            let an = Analysis::new(text);
            let ev = self.evidence(&an);
            let y = self.class_of(matter, &ev);
            let mut ids: Vec<u32> = an
                .features(&self.params)
                .into_iter()
                .map(|f| {
                    let n = vocab.len() as u32;
                    *vocab.entry(f).or_insert(n)
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let scale = if ids.is_empty() {
                0.0
            } else {
                1.0 / (ids.len() as f64).sqrt()
            };
            docs.push(Doc {
                y,
                ids,
                scale,
                weight: 1.0,
            });
        }
        self.trained_on = docs.len();
        if self.params.phrase_docs > 0.0 {
            let mut extra: Vec<(usize, &str, u8)> = Vec::new();
            for (m, r) in self.rules.iter().enumerate() {
                extra.extend(r.positive.iter().map(|p| (m, p.norm.as_str(), p.weight)));
            }
            for (t, topic) in self.topics.iter().enumerate() {
                let c = self
                    .classes
                    .iter()
                    .position(|c| c.topic == Some(t))
                    .unwrap_or(self.other);
                extra.extend(topic.phrases.iter().map(|p| (c, p.norm.as_str(), p.weight)));
            }
            for (y, text, weight) in extra {
                let an = Analysis::new(text);
                let mut ids: Vec<u32> = an
                    .features(&self.params)
                    .into_iter()
                    .map(|f| {
                        let n = vocab.len() as u32;
                        *vocab.entry(f).or_insert(n)
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                if ids.is_empty() {
                    continue;
                }
                let scale = 1.0 / (ids.len() as f64).sqrt();
                docs.push(Doc {
                    y,
                    ids,
                    scale,
                    weight: self.params.phrase_docs * weight as f64 / 5.0,
                });
            }
        }
        let nf = vocab.len();
        let mut w = vec![0.0f64; nf * k];
        // Bias: the log prior of each class (add-one), then learnt.
        let mut counts = vec![1.0f64; k];
        for d in docs.iter().filter(|d| d.weight == 1.0) {
            counts[d.y] += 1.0;
        }
        let total: f64 = counts.iter().sum();
        let mut b: Vec<f64> = counts.iter().map(|c| (c / total).ln()).collect();
        // SGD over a fixed pseudo-random order (LCG), learning rate decaying per epoch.
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let lambda = self.params.l2;
        let mut p = vec![0.0f64; k];
        for epoch in 0..self.params.epochs {
            for i in (1..order.len()).rev() {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let j = ((seed >> 33) % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            let eta = self.params.learning_rate / (1.0 + epoch as f64 * 0.5);
            for &di in &order {
                let d = &docs[di];
                p.copy_from_slice(&b);
                for &f in &d.ids {
                    let row = &w[f as usize * k..(f as usize + 1) * k];
                    for (pc, wc) in p.iter_mut().zip(row) {
                        *pc += wc * d.scale;
                    }
                }
                softmax_in_place(&mut p);
                p[d.y] -= 1.0; // now the gradient of the loss w.r.t. each logit
                if d.weight != 1.0 {
                    for x in p.iter_mut() {
                        *x *= d.weight;
                    }
                }
                for c in 0..k {
                    b[c] -= eta * p[c] * 0.1;
                }
                for &f in &d.ids {
                    let row = &mut w[f as usize * k..(f as usize + 1) * k];
                    for (wc, g) in row.iter_mut().zip(&p) {
                        *wc -= eta * (g * d.scale + lambda * *wc);
                    }
                }
            }
        }
        self.vocab = std::sync::Arc::new(vocab);
        self.weights = std::sync::Arc::new(w);
        self.bias = b;
    }

    fn evidence(&self, an: &Analysis) -> RuleEvidence {
        let matters = self
            .rules
            .iter()
            .map(|r| {
                let positive = an.hits(&r.positive);
                let negative = an.hits(&r.negative);
                let score = positive.iter().map(|h| h.weight as f64).sum::<f64>()
                    - negative.iter().map(|h| h.weight as f64).sum::<f64>();
                RuleScore {
                    score,
                    positive,
                    negative,
                }
            })
            .collect();
        let topics = self
            .topics
            .iter()
            .map(|t| {
                let hits = an.hits(&t.phrases);
                (hits.iter().map(|h| h.weight as f64).sum(), hits)
            })
            .collect();
        RuleEvidence { matters, topics }
    }

    /// β × rule score of every model class. 其他 without split: its best topic's score; with the
    /// split, each topic sub-class has its topic's score and plain 其他 none.
    fn rule_offsets(&self, ev: &RuleEvidence) -> Vec<f64> {
        let beta = self.params.rule_weight;
        self.classes
            .iter()
            .map(|c| match c.topic {
                Some(t) => beta * ev.topics[t].0,
                None if c.matter == self.other && !self.params.split_other => {
                    beta * ev.best_topic().map(|t| ev.topics[t].0).unwrap_or(0.0)
                }
                None => beta * ev.matters[c.matter].score,
            })
            .collect()
    }

    /// Probabilities of every model class.
    fn class_probs(&self, an: &Analysis, ev: &RuleEvidence, hints: &Hints) -> Vec<f64> {
        let k = self.classes.len();
        let mut all = an.features(&self.params);
        all.sort_unstable();
        all.dedup();
        // Scale as in training: by the number of distinct features of the text, known or not.
        let scale = if all.is_empty() {
            0.0
        } else {
            1.0 / (all.len() as f64).sqrt()
        };
        let mut p = self.rule_offsets(ev);
        for (c, x) in p.iter_mut().enumerate() {
            *x += self.bias[c] + self.params.hint_bonus * self.hint_score(self.classes[c].matter, hints);
        }
        for f in all.iter().filter_map(|f| self.vocab.get(f)) {
            let row = &self.weights[*f as usize * k..(*f as usize + 1) * k];
            for (pc, wc) in p.iter_mut().zip(row) {
                *pc += wc * scale;
            }
        }
        softmax_in_place(&mut p);
        p
    }

    fn hint_score(&self, matter: usize, hints: &Hints) -> f64 {
        let code = self.codes[matter].as_str();
        let mut s = 0.0;
        if hints.likely_matters.iter().any(|m| m == code) {
            s += 1.0;
        }
        match hints.in_compound {
            Some(true) if COMPOUND_MATTERS.contains(&code) => s += 1.0,
            Some(false) if STREET_MATTERS.contains(&code) => s += 1.0,
            _ => {}
        }
        if hints.property_report {
            if COMPOUND_MATTERS.contains(&code) {
                s += 1.0;
            } else if matter == self.other {
                s -= 1.0;
            }
        }
        s
    }

    /// Classifies a text with no hints.
    pub fn classify(&self, text: &str) -> Classification {
        self.classify_with(text, &Hints::default())
    }

    /// Classifies a text, using what the channel and place say.
    pub fn classify_with(&self, text: &str, hints: &Hints) -> Classification {
        let an = Analysis::new(text);
        let ev = self.evidence(&an);
        let cp = self.class_probs(&an, &ev, hints);
        let mut probs = vec![0.0; self.codes.len()];
        for (c, pc) in self.classes.iter().zip(&cp) {
            probs[c.matter] += pc;
        }
        let mut order: Vec<usize> = (0..probs.len()).collect();
        // Highest probability first; ties by catalogue order.
        order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
        let best = order[0];
        // For 其他: the topic — its phrases if any matched, else the most probable topic class if
        // it beats plain 其他.
        let topic = if best == self.other {
            ev.best_topic().or_else(|| {
                let plain = cp[self.other];
                self.classes
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| c.topic.map(|t| (t, cp[i])))
                    .filter(|&(_, p)| p > plain)
                    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                    .map(|(t, _)| t)
            })
        } else {
            None
        };
        let mut reasons = Vec::new();
        let hits: Vec<&Hit> = match (best == self.other, topic) {
            (true, Some(t)) => ev.topics[t].1.iter().collect(),
            (true, None) => Vec::new(),
            (false, _) => ev.matters[best].positive.iter().collect(),
        };
        for h in &hits {
            reasons.push(format!("命中“{}”（权重{}）", h.text, h.weight));
        }
        if best != self.other {
            for h in &ev.matters[best].negative {
                reasons.push(format!("含排除短语“{}”（−{}）", h.text, h.weight));
            }
        }
        // Phrases (of any matter or topic) that were not counted because they were denied.
        let mut denied: Vec<String> = Vec::new();
        let lists = self
            .rules
            .iter()
            .map(|r| &r.positive)
            .chain(self.topics.iter().map(|t| &t.phrases));
        for list in lists {
            for d in an.denied_only(list) {
                if !denied.contains(&d) {
                    denied.push(d);
                }
            }
        }
        for d in denied {
            reasons.push(format!("“{d}”在否定语境中（不是…），不计入"));
        }
        if hits.is_empty() {
            reasons.push(format!("未命中“{}”的关键词，依据统计模型判断", self.names[best]));
        }
        let top = self.top_features(&an, best, 3);
        if !top.is_empty() {
            let quoted: Vec<String> = top.iter().map(|t| format!("“{t}”")).collect();
            reasons.push(format!(
                "统计模型（按已标注样本训练）支持该事项的主要字词：{}",
                quoted.join("")
            ));
        }
        if self.hint_score(best, hints) > 0.0 {
            reasons.push("渠道或地点提示支持该事项".to_string());
        }
        let out_of_remit = match topic.map(|t| &self.topics[t].info) {
            Some(t) => {
                reasons.push(format!(
                    "属于非城管职责事项“{}”，建议转{}",
                    t.topic,
                    t.suggested_department.label()
                ));
                Some(OutOfRemit {
                    code: t.code.clone(),
                    topic: t.topic.clone(),
                    suggested_department: t.suggested_department,
                    reply: t.reply_template.clone(),
                })
            }
            None if best == self.other => {
                reasons.push("未能确定非城管职责事项的类别，去向需派单员判断".to_string());
                None
            }
            None => None,
        };
        let alternatives = order[1..]
            .iter()
            .filter(|&&c| probs[c] >= 0.01)
            .take(3)
            .map(|&c| Alternative {
                code: self.codes[c].clone(),
                name: self.names[c].clone(),
                confidence: round3(probs[c]),
            })
            .collect();
        Classification {
            matter: MatterRef {
                code: self.codes[best].clone(),
                name: self.names[best].clone(),
            },
            confidence: round3(probs[best]),
            reasons,
            alternatives,
            out_of_remit,
        }
    }

    /// The n-grams of the text that most support a matter (its best class's weight minus the mean
    /// over classes), at least two characters, none inside another listed one.
    fn top_features(&self, an: &Analysis, matter: usize, n: usize) -> Vec<String> {
        let k = self.classes.len();
        let mine: Vec<usize> = (0..k).filter(|&c| self.classes[c].matter == matter).collect();
        let mut feats = an.features(&self.params);
        feats.sort();
        feats.dedup();
        let mut scored: Vec<(f64, String)> = feats
            .into_iter()
            .filter(|f| f.chars().count() >= 2)
            .filter_map(|f| {
                let id = *self.vocab.get(&f)? as usize;
                let row = &self.weights[id * k..(id + 1) * k];
                let mean = row.iter().sum::<f64>() / k as f64;
                let s = mine.iter().map(|&c| row[c]).fold(f64::NEG_INFINITY, f64::max) - mean;
                (s > 0.0).then_some((s, f))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, f) in scored {
            let f = f.trim_start_matches("w:").to_string();
            if out.iter().any(|o| o.contains(f.as_str()) || f.contains(o.as_str())) {
                continue;
            }
            out.push(f);
            if out.len() == n {
                break;
            }
        }
        out
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn softmax_in_place(v: &mut [f64]) {
    let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = (*x - m).exp();
        sum += *x;
    }
    for x in v.iter_mut() {
        *x /= sum;
    }
}

#[derive(Debug, Clone)]
struct Hit {
    text: String,
    weight: u8,
}

struct RuleScore {
    score: f64,
    positive: Vec<Hit>,
    negative: Vec<Hit>,
}

/// A text prepared for matching: normalised, with denied spans marked.
struct Analysis {
    norm: String,
    /// Byte ranges of `norm` in the scope of a denial (不是…，).
    denied_spans: Vec<(usize, usize)>,
    /// The distinct characters of `norm` (a quick filter before substring search).
    chars: crate::fasthash::FastSet<char>,
}

impl Analysis {
    fn new(text: &str) -> Analysis {
        let norm = normalize(text);
        let mut denied_spans = Vec::new();
        for cue in DENIALS {
            for (s, _) in norm.match_indices(cue) {
                // 是不是 is a question, not a denial; 并不是 is found by its own cue.
                if cue == "不是" && (norm[..s].ends_with('是') || norm[..s].ends_with('并')) {
                    continue;
                }
                let start = s + cue.len();
                let rest = &norm[start..];
                let end = rest
                    .char_indices()
                    .find(|&(i, c)| is_clause_break(c) || rest[i..].starts_with("而是"))
                    .map(|(i, _)| start + i)
                    .unwrap_or(norm.len());
                if end > start {
                    denied_spans.push((start, end));
                }
            }
        }
        denied_spans.sort_unstable();
        let chars = norm.chars().collect();
        Analysis {
            norm,
            denied_spans,
            chars,
        }
    }

    fn is_denied(&self, s: usize) -> bool {
        self.denied_spans.iter().any(|&(a, b)| s >= a && s < b)
    }

    /// Phrases of the list (already normalised) found in the text, outside denied clauses (each
    /// phrase counted once).
    fn hits(&self, phrases: &[NormPhrase]) -> Vec<Hit> {
        let mut out = Vec::new();
        for p in phrases {
            if !self.chars.contains(&p.first) {
                continue;
            }
            if self
                .norm
                .match_indices(p.norm.as_str())
                .any(|(s, _)| !self.is_denied(s))
            {
                out.push(Hit {
                    text: p.text.clone(),
                    weight: p.weight,
                });
            }
        }
        out
    }

    /// Phrases of the list that occur only inside denied clauses.
    fn denied_only(&self, phrases: &[NormPhrase]) -> Vec<String> {
        if self.denied_spans.is_empty() {
            return Vec::new();
        }
        phrases
            .iter()
            .filter(|p| {
                self.norm.contains(p.norm.as_str())
                    && self.norm.match_indices(p.norm.as_str()).all(|(s, _)| self.is_denied(s))
            })
            .map(|p| p.text.clone())
            .collect()
    }

    /// Character n-grams (1..=n) of the CJK runs outside denied clauses, digits collapsed to `0`,
    /// plus `w:`-prefixed ASCII words.
    fn features(&self, p: &Params) -> Vec<String> {
        let n = p.ngram_max.clamp(1, 4);
        let mut feats = Vec::new();
        let mut run: Vec<char> = Vec::new();
        let flush = |run: &mut Vec<char>, feats: &mut Vec<String>| {
            for len in 1..=n.min(run.len()) {
                for w in run.windows(len) {
                    if len == 1 && w[0] == '0' {
                        continue;
                    }
                    feats.push(w.iter().collect());
                }
            }
            run.clear();
        };
        let chars: Vec<(usize, char)> = self.norm.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (pos, c) = chars[i];
            if self.is_denied(pos) {
                flush(&mut run, &mut feats);
                i += 1;
                continue;
            }
            if is_cjk(c) {
                run.push(c);
                i += 1;
            } else if c.is_ascii_digit() {
                while i < chars.len() && chars[i].1.is_ascii_digit() {
                    i += 1;
                }
                run.push('0');
            } else if c.is_ascii_alphabetic() {
                let start = i;
                while i < chars.len() && chars[i].1.is_ascii_alphanumeric() {
                    i += 1;
                }
                let w: String = chars[start..i].iter().map(|x| x.1).collect();
                feats.push(format!("w:{w}"));
                flush(&mut run, &mut feats);
            } else {
                flush(&mut run, &mut feats);
                i += 1;
            }
        }
        flush(&mut run, &mut feats);
        feats
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | ',' | '。' | '.' | '！' | '!' | '？' | '?' | '；' | ';' | '：' | ':' | '、' | '\n' | ' '
    )
}
