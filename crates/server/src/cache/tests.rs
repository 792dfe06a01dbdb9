use std::time::Duration;

use super::Guarded;

fn cache() -> Guarded<u32, &'static str> {
    Guarded::new(100, Duration::from_secs(60))
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
    let cache: Guarded<u32, u32> = Guarded::new(100, Duration::ZERO);
    assert_eq!(cache.get_or_load(1, || async { Ok::<_, ()>(7) }).await, Ok(7));
    assert_eq!(cache.get(&1), None);
}
