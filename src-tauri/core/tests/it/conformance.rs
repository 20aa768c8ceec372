//! One conformance suite, run against both stores (the local SQLite namespace, and the
//! Cloudflare client against the simulator): same inputs, same observable results.

use cachescope_core::kv::limits::unix_now;
use cachescope_core::kv::{Entry, Expiry, KeyInfo, KvStore, ListOptions, Metadata, PutOptions};
use cachescope_core::Error;
use serde_json::json;

use super::support::Subject;

fn opts(expiry: Expiry, metadata: Option<serde_json::Value>) -> PutOptions {
    PutOptions {
        expiry,
        metadata: metadata.map(Into::into),
    }
}

async fn names(store: &dyn KvStore, prefix: &str, limit: Option<u32>) -> Vec<String> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list(&ListOptions {
                prefix: Some(prefix.to_owned()),
                cursor,
                limit,
            })
            .await
            .unwrap();
        all.extend(page.keys.into_iter().map(|k| k.name));
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return all,
        }
    }
}

fn entries(prefix: &str, n: usize) -> Vec<Entry> {
    (0..n)
        .map(|i| Entry {
            key: format!("{prefix}k{i:05}"),
            value: format!("v{i}").into_bytes(),
            options: PutOptions::default(),
        })
        .collect()
}

pub async fn put_get_round_trip_with_metadata_and_ttl(s: Subject) {
    let key = format!("{}report:system-health", s.prefix);
    let value =
        br#"{"generatedAt":"2026-11-22T00:00:00Z","processing":{"last24h":{"completed":12}}}"#;
    let metadata = json!({ "contentHash": "ab12", "source": "precompute" });
    let before = unix_now();
    s.store
        .put(
            &key,
            value,
            &opts(Expiry::Ttl(3600), Some(metadata.clone())),
        )
        .await
        .unwrap();
    let got = s
        .store
        .get(&key)
        .await
        .unwrap()
        .expect("written key is readable");
    assert_eq!(got.bytes, value);
    assert_eq!(
        got.metadata.as_ref().map(Metadata::to_value),
        Some(metadata.clone())
    );
    let expiration = got.expiration.expect("a TTL gives an expiration");
    assert!(
        (before + 3600..=unix_now() + 3600).contains(&expiration),
        "{expiration}"
    );
    let listed = s
        .store
        .list(&ListOptions {
            prefix: Some(s.prefix.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        listed.keys,
        vec![KeyInfo {
            name: key.clone(),
            expiration: Some(expiration),
            metadata: Some(metadata.into())
        }]
    );
    assert_eq!(listed.cursor, None);
    // Overwriting replaces value, metadata and expiry.
    s.store
        .put(&key, b"2", &opts(Expiry::Never, None))
        .await
        .unwrap();
    let got = s.store.get(&key).await.unwrap().unwrap();
    assert_eq!(
        (got.bytes.as_slice(), got.expiration, got.metadata),
        (&b"2"[..], None, None)
    );
}

pub async fn missing_keys_read_as_none_and_delete_quietly(s: Subject) {
    let key = format!("{}nope", s.prefix);
    assert_eq!(s.store.get(&key).await.unwrap(), None);
    s.store.delete(&key).await.unwrap();
    s.store
        .put(&key, b"x", &PutOptions::default())
        .await
        .unwrap();
    s.store.delete(&key).await.unwrap();
    assert_eq!(s.store.get(&key).await.unwrap(), None);
}

pub async fn keys_are_ordered_by_utf8_bytes(s: Subject) {
    let p = &s.prefix;
    let suffixes = [
        "b", "a", "Z", "é", "aa", "a b", "a/b", "a%b", "a:b", "日本", "~", "A", "😀", "a\u{7f}",
    ];
    let batch: Vec<Entry> = suffixes
        .iter()
        .map(|x| Entry {
            key: format!("{p}{x}"),
            value: b"1".to_vec(),
            options: PutOptions::default(),
        })
        .collect();
    s.store.bulk_put(&batch).await.unwrap();
    let mut expected: Vec<String> = suffixes.iter().map(|x| format!("{p}{x}")).collect();
    expected.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(names(s.store.as_ref(), p, None).await, expected);
}

pub async fn prefixes_select_exactly_their_keys(s: Subject) {
    let p = &s.prefix;
    let keys = [
        "user:1:analytics:dashboard",
        "user:10:analytics:dashboard",
        "user:1:conversations:list",
        "user:2:x",
        "user",
        "report:team:default",
    ];
    let batch: Vec<Entry> = keys
        .iter()
        .map(|k| Entry {
            key: format!("{p}{k}"),
            value: b"{}".to_vec(),
            options: PutOptions::default(),
        })
        .collect();
    s.store.bulk_put(&batch).await.unwrap();
    let got = names(s.store.as_ref(), &format!("{p}user:1:"), None).await;
    assert_eq!(
        got,
        vec![
            format!("{p}user:1:analytics:dashboard"),
            format!("{p}user:1:conversations:list")
        ]
    );
    let got = names(s.store.as_ref(), &format!("{p}user:1"), None).await;
    assert_eq!(got.len(), 3);
    assert_eq!(
        names(s.store.as_ref(), &format!("{p}zzz"), None).await,
        Vec::<String>::new()
    );
}

pub async fn cursor_paging_walks_more_than_1000_keys(s: Subject) {
    let batch = entries(&s.prefix, 1203);
    let outcome = s.store.bulk_put(&batch).await.unwrap();
    assert_eq!(outcome.succeeded, 1203);
    let first = s
        .store
        .list(&ListOptions {
            prefix: Some(s.prefix.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.keys.len(), 1000);
    let cursor = first.cursor.clone().expect("a cursor after a full page");
    let second = s
        .store
        .list(&ListOptions {
            prefix: Some(s.prefix.clone()),
            cursor: Some(cursor),
            limit: None,
        })
        .await
        .unwrap();
    assert_eq!(second.keys.len(), 203);
    assert_eq!(second.cursor, None);
    assert_eq!(second.keys[0].name, format!("{}k01000", s.prefix));
    // Smaller pages visit every key once, in order.
    let expected: Vec<String> = batch.iter().map(|e| e.key.clone()).collect();
    assert_eq!(
        names(s.store.as_ref(), &s.prefix, Some(250)).await,
        expected
    );
}

pub async fn awkward_key_names_round_trip(s: Subject) {
    let p = &s.prefix;
    let suffixes = [
        "a/b/c",
        "with space",
        "100%",
        "%2F",
        "x:y:z",
        "ümlaut",
        "日本語キー",
        "q?x=1#f",
        "a+b&c",
        "tab\there",
        "emoji😀",
    ];
    for x in suffixes {
        let key = format!("{p}{x}");
        s.store
            .put(&key, x.as_bytes(), &PutOptions::default())
            .await
            .unwrap();
        assert_eq!(
            s.store.get(&key).await.unwrap().unwrap().bytes,
            x.as_bytes(),
            "key {key:?}"
        );
    }
    let mut expected: Vec<String> = suffixes.iter().map(|x| format!("{p}{x}")).collect();
    expected.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(names(s.store.as_ref(), p, None).await, expected);
    for x in suffixes {
        s.store.delete(&format!("{p}{x}")).await.unwrap();
    }
    assert!(names(s.store.as_ref(), p, None).await.is_empty());
}

pub async fn binary_values_round_trip_exactly(s: Subject) {
    let all_bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    let key = format!("{}snapshot:path-stats:v1", s.prefix);
    s.store
        .put(&key, &all_bytes, &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(s.store.get(&key).await.unwrap().unwrap().bytes, all_bytes);
    // With metadata the value travels in a multipart body; without a filename it must stay bytes.
    let key2 = format!("{}snapshot:path-stats:v2", s.prefix);
    let meta = json!({ "encoding": "gzip", "version": 2 });
    s.store
        .put(&key2, &all_bytes, &opts(Expiry::Never, Some(meta.clone())))
        .await
        .unwrap();
    let got = s.store.get(&key2).await.unwrap().unwrap();
    assert_eq!(
        (got.bytes, got.metadata.as_ref().map(Metadata::to_value)),
        (all_bytes.clone(), Some(meta))
    );
    // Bulk writes carry binary as base64.
    let key3 = format!("{}snapshot:path-stats:v3", s.prefix);
    s.store
        .bulk_put(&[Entry {
            key: key3.clone(),
            value: all_bytes.clone(),
            options: PutOptions::default(),
        }])
        .await
        .unwrap();
    assert_eq!(s.store.get(&key3).await.unwrap().unwrap().bytes, all_bytes);
    // An empty value is a value.
    let key4 = format!("{}empty", s.prefix);
    s.store
        .put(&key4, b"", &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(s.store.get(&key4).await.unwrap().unwrap().bytes, b"");
}

pub async fn bulk_put_get_delete(s: Subject) {
    let p = &s.prefix;
    let batch: Vec<Entry> = (0..150)
        .map(|i| Entry {
            key: format!("{p}user:{i}:analytics:dashboard"),
            value: format!(r#"{{"summary":{{"totalConversations":{i}}}}}"#).into_bytes(),
            options: opts(Expiry::Ttl(300), Some(json!({ "i": i }))),
        })
        .collect();
    assert_eq!(s.store.bulk_put(&batch).await.unwrap().succeeded, 150);
    let mut asked: Vec<String> = batch.iter().map(|e| e.key.clone()).collect();
    asked.insert(3, format!("{p}missing"));
    let got = s.store.bulk_get(&asked).await.unwrap();
    assert_eq!(got.len(), 151);
    assert_eq!(got[3], None);
    let v7 = got[8].as_ref().expect("present");
    assert_eq!(v7.bytes, br#"{"summary":{"totalConversations":7}}"#);
    assert_eq!(
        v7.metadata.as_ref().map(Metadata::to_value),
        Some(json!({ "i": 7 }))
    );
    let to_delete: Vec<String> = batch.iter().take(100).map(|e| e.key.clone()).collect();
    assert_eq!(
        s.store.bulk_delete(&to_delete).await.unwrap().succeeded,
        100
    );
    assert_eq!(names(s.store.as_ref(), p, None).await.len(), 50);
}

pub async fn every_limit_is_refused_before_anything_is_written(s: Subject) {
    let p = &s.prefix;
    let now = unix_now();
    let ok = |k: &str| Entry {
        key: format!("{p}{k}"),
        value: b"v".to_vec(),
        options: PutOptions::default(),
    };
    let cases: Vec<(Entry, &str)> = vec![
        (
            Entry {
                key: String::new(),
                ..ok("")
            },
            "key",
        ),
        (
            Entry {
                key: format!("{p}{}", "k".repeat(513)),
                ..ok("")
            },
            "bytes long",
        ),
        (
            Entry {
                value: vec![b'x'; 25 * 1024 * 1024 + 1],
                ..ok("big")
            },
            "25 MiB",
        ),
        (
            Entry {
                options: opts(Expiry::Never, Some(json!({ "x": "y".repeat(1100) }))),
                ..ok("meta")
            },
            "metadata",
        ),
        (
            Entry {
                options: opts(Expiry::Ttl(59), None),
                ..ok("ttl")
            },
            "minimum is 60",
        ),
        (
            Entry {
                options: opts(Expiry::At(now + 30), None),
                ..ok("exp")
            },
            "60 s ahead",
        ),
    ];
    for (bad, expected) in cases {
        let err = s
            .store
            .put(&bad.key, &bad.value, &bad.options)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
        assert!(
            err.to_string().contains(expected),
            "{err} should mention {expected:?}"
        );
        // A bad entry anywhere in a bulk write stops the whole write.
        let err = s
            .store
            .bulk_put(&[ok("good-1"), bad, ok("good-2")])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
    assert!(
        names(s.store.as_ref(), p, None).await.is_empty(),
        "nothing may be half-written"
    );
    let err = s
        .store
        .list(&ListOptions {
            limit: Some(1001),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }));
}

/// Opt-in (waits past KV's 60 s minimum): run with `--ignored`.
pub async fn expired_keys_vanish_from_get_and_list(s: Subject) {
    let key = format!("{}short-lived", s.prefix);
    s.store
        .put(&key, b"x", &opts(Expiry::Ttl(60), None))
        .await
        .unwrap();
    s.store
        .put(&format!("{}stays", s.prefix), b"y", &PutOptions::default())
        .await
        .unwrap();
    assert!(s.store.get(&key).await.unwrap().is_some());
    tokio::time::sleep(std::time::Duration::from_secs(63)).await;
    assert_eq!(s.store.get(&key).await.unwrap(), None);
    assert_eq!(
        names(s.store.as_ref(), &s.prefix, None).await,
        vec![format!("{}stays", s.prefix)]
    );
}

macro_rules! conformance {
    ($($case:ident),* $(,)?; slow: $($slow:ident),*) => {
        mod local {
            $( #[tokio::test] async fn $case() { super::$case(crate::support::local(stringify!($case)).await).await } )*
            $( #[tokio::test] #[ignore = "waits 63 s for KV's minimum TTL"] async fn $slow() { super::$slow(crate::support::local(stringify!($slow)).await).await } )*
        }
        mod cloudflare_simulator {
            $( #[tokio::test] async fn $case() { super::$case(crate::support::cloudflare(stringify!($case))).await } )*
            $( #[tokio::test] #[ignore = "waits 63 s for KV's minimum TTL"] async fn $slow() { super::$slow(crate::support::cloudflare(stringify!($slow))).await } )*
        }
    };
}

conformance!(
    put_get_round_trip_with_metadata_and_ttl,
    missing_keys_read_as_none_and_delete_quietly,
    keys_are_ordered_by_utf8_bytes,
    prefixes_select_exactly_their_keys,
    cursor_paging_walks_more_than_1000_keys,
    awkward_key_names_round_trip,
    binary_values_round_trip_exactly,
    bulk_put_get_delete,
    every_limit_is_refused_before_anything_is_written;
    slow: expired_keys_vanish_from_get_and_list
);
