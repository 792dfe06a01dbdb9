use std::time::Duration;

use super::Guarded;

fn cache() -> Guarded<u32, &'static str> {
    Guarded::new(100, Duration::from_secs(60), crate::events::Barrier::none())
}

#[tokio::test]
async fn a_value_read_before_an_invalidation_is_handed_back_but_not_kept() {
    let cache = cache();
    let value = cache
        .get_or_load(1, || async {
            // The change commits and is told while this read is under way.
            cache.forget(&1);
            Ok::<_, ()>("before the change")
        })
        .await;
    assert_eq!(value, Ok("before the change"));
    assert_eq!(cache.get(&1), None, "the stale read must not be served later");
    let value = cache.get_or_load(1, || async { Ok::<_, ()>("after") }).await;
    assert_eq!((value, cache.get(&1)), (Ok("after"), Some("after")));
}

#[tokio::test]
async fn forgetting_by_predicate_keeps_the_rest() {
    let cache = cache();
    for (k, v) in [(1, "ann"), (2, "bob"), (3, "ann")] {
        cache.keep(cache.ticket(), k, v);
    }
    cache.forget_if(|_, v| *v == "ann");
    assert_eq!((cache.get(&1), cache.get(&2), cache.get(&3)), (None, Some("bob"), None));
}

#[tokio::test]
async fn while_events_may_be_missed_nothing_is_served_or_kept() {
    let cache = cache();
    cache.keep(cache.ticket(), 1, "x");
    cache.gap(false);
    assert_eq!(cache.get(&1), None);
    cache.keep(cache.ticket(), 2, "y");
    cache.gap(true);
    assert_eq!((cache.get(&1), cache.get(&2)), (None, None), "a gap forgets what was there before it");
    cache.keep(cache.ticket(), 3, "z");
    assert_eq!(cache.get(&3), Some("z"));
}

#[tokio::test]
async fn a_zero_time_to_live_keeps_nothing() {
    let cache: Guarded<u32, u32> = Guarded::new(100, Duration::ZERO, crate::events::Barrier::none());
    assert_eq!(cache.get_or_load(1, || async { Ok::<_, ()>(7) }).await, Ok(7));
    assert_eq!(cache.get(&1), None);
}

#[tokio::test]
async fn concurrent_misses_of_one_key_load_once() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let cache: Guarded<u32, u32> = Guarded::new(100, Duration::from_secs(60), crate::events::Barrier::none());
    let loads = AtomicU32::new(0);
    let load = || async {
        loads.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok::<_, ()>(7)
    };
    let all = futures::future::join_all((0..16).map(|_| cache.get_or_load(1, load))).await;
    assert!(all.iter().all(|v| *v == Ok(7)));
    assert_eq!(loads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_waiter_does_not_take_a_value_read_before_a_change_it_follows() {
    let cache = cache();
    let first = cache.get_or_load(1, || async {
        tokio::task::yield_now().await;
        // The change lands while the first load is under way; the second request comes after it.
        cache.forget(&1);
        Ok::<_, ()>("before")
    });
    let second = async {
        tokio::task::yield_now().await;
        cache.get_or_load(1, || async { Ok::<_, ()>("after") }).await
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!((first, second), (Ok("before"), Ok("after")));
    assert_eq!(cache.get(&1), Some("after"));
}

#[tokio::test]
async fn a_kept_value_that_is_not_enough_is_built_on_and_replaced() {
    let cache = cache();
    cache.keep(cache.ticket(), 1, "short");
    let enough = |v: &&'static str| v.len() > 5;
    let value = cache
        .get_or_load_where(1, enough, |before| async move {
            assert_eq!(before, Some("short"), "the load is given what was kept");
            Ok::<_, ()>("longer")
        })
        .await;
    assert_eq!((value, cache.get(&1)), (Ok("longer"), Some("longer")));
    // Enough now: kept and served without loading.
    let value = cache.get_or_load_where(1, enough, |_| async { panic!("loaded again") }).await;
    assert_eq!(value, Ok::<_, ()>("longer"));
}
