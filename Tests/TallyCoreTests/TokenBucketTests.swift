import TallyCore
import Testing

@Suite("Token buckets")
struct TokenBucketTests {
    @Test func parsesRatesAndBursts() {
        #expect(RateLimit("2000/s") == RateLimit(perSecond: 2000, burst: 4000))
        #expect(RateLimit("120/m:10") == RateLimit(perSecond: 2, burst: 10))
        #expect(RateLimit("3600/h")?.perSecond == 1)
        for bad in ["", "2000", "0/s", "-1/s", "10/d", "10/s:0", "x/s", "inf/s", "10/s:"] {
            #expect(RateLimit(bad) == nil, "\(bad)")
        }
    }

    @Test func aBurstThenTheRate() {
        var bucket = TokenBucket(limit: RateLimit(perSecond: 10, burst: 5), nowMs: 0)
        for _ in 0..<5 { #expect(bucket.take(nowMs: 0).allowed) }
        let refused = bucket.take(nowMs: 0)
        #expect(!refused.allowed)
        #expect(refused.retryAfterSeconds == 1)
        #expect(bucket.take(nowMs: 100).allowed, "one token back after 1/10 s")
        #expect(!bucket.take(nowMs: 100).allowed)
        #expect(!bucket.isFull(nowMs: 200))
        #expect(bucket.isFull(nowMs: 10_000))
        #expect(bucket.take(nowMs: -5_000).allowed == false, "a clock stepping back adds nothing")
    }
}
