// Package feeds publishes paperfeed's topics: Atom 1.0, RSS 2.0 and JSON Feed 1.1
// per topic, an ad-hoc search feed, OPML of every topic, and HTML pages.
//
// Routes (Server.ServeHTTP; GET and HEAD):
//
//	/                            HTML index (also /index.html)
//	/topics.opml                 OPML 2.0, one outline per topic
//	/topics/{name}               HTML topic page (also /topics/{name}.html)
//	/topics/{name}.atom|.rss|.json
//	/search.atom|.rss|.json?q=   topic query (db/query) over title, abstract, authors
//	/search?q=                   HTML search page
//	/favicon.ico                 the site icon
//
// With [server] websub_hubs, the topic and digest feeds (not searches, ?limit=
// or similar papers: nothing announces those) name each hub and themselves, in
// the document and a Link header (WebSub 4); HubFeeds lists them, fingerprinted,
// for the publisher in feeds/websub. Without hubs the feeds are unchanged.
//
// Every feed and page accepts ?limit=N (1..config.MaxTopicLimit): then it holds
// exactly the N first papers by the topic's sort, ignoring the window.
//
// Caching: a rendered representation (body, its gzip, strong ETag from a SHA-256
// of the body, Last-Modified) stays in a bounded in-memory LRU until the store's
// generation changes or it is older than the max-age (so a topic's time window
// still slides when nothing is collected). The generation is checked on every
// request; the store answers from memory, re-reading its row at most every
// sqlite.GenerationTTL (250 ms), so a write by another process (a cron `paperfeed
// collect`) shows within that, and a write by this process at once. Concurrent
// misses of one key share one render (singleflight), which stops only when
// every caller waiting for it has gone; renders pass a bounded gate (renderGate):
// past its queue, a search or ?limit= answers 503 with Retry-After, held a
// second first so that a client that asks again at once is paced. Configured
// documents are cached apart from ad-hoc ones, which cannot evict them.
//
// Last-Modified is the newest Updated or FirstSeen of the papers in the
// document; when a re-render yields different bytes whose papers are not newer
// (a paper left the window, trending order changed), it is the render time, so
// If-Modified-Since never hides a change.
//
// Cache-Control is "public, max-age=M" with M = collect interval / 2, clamped to
// 1 minute .. 30 minutes: a reader polling at M sees a new collection within
// 1.5 intervals at worst, and revalidation is a cheap 304.
package feeds
