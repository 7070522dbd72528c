# Writes click events from..to as XADD commands in the Redis protocol, for redis-cli --pipe (see produce.sh).
# Input variables: from, to (event ids), base (ms since the epoch of event `from`), gap (ms between events), seed,
# stream, tallies (a file to append "good nan no_user bad_country" to).
#
# Every field but ts is drawn from a generator seeded by the seed and a key (the event, its session or its user), so
# an event is the same whichever slice it is produced in. The generator is MINSTD (Park–Miller, multiplier 48271):
# its products stay below 2^53, so every awk (mawk, gawk, BSD awk) computes the same numbers in its doubles.

function next_draw() { state = (state * 48271) % 2147483647; return state }
function start(key) { state = (seed * 7919 + key) % 2147483647; if (state == 0) state = 1; next_draw(); next_draw(); next_draw() }
function uniform() { return next_draw() / 2147483647 }
function pick(n) { return int(uniform() * n) + 1 }                      # 1..n
# A weighted choice: weights is "w1 w2 …" summing to 100; returns the index drawn.
function weighted(weights,   w, n, i, r, sum) {
  n = split(weights, w, " "); r = uniform() * 100; sum = 0
  for (i = 1; i <= n; i++) { sum += w[i]; if (r < sum) return i }
  return n
}
function arg(s) { return "$" length(s) "\r\n" s "\r\n" }
# ms since the epoch → 2026-12-05T12:09:40.123Z (Howard Hinnant's days-to-civil, so no strftime is needed)
function iso(ms,   days, rem, z, era, doe, yoe, y, doy, mp, d, m) {
  days = int(ms / 86400000); rem = ms - days * 86400000
  z = days + 719468; era = int(z / 146097); doe = z - era * 146097
  yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
  y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
  mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
  m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
  return sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, int(rem / 3600000), int(rem % 3600000 / 60000),
    int(rem % 60000 / 1000), rem % 1000)
}

BEGIN {
  split("US DE GB FR IN BR JP CA NL ES", countries, " "); country_weights = "34 12 11 8 8 7 6 6 4 4"
  split("trail-running-shoe merino-wool-socks rain-jacket hiking-backpack water-bottle headlamp down-vest " \
        "camping-stove sleeping-bag trekking-poles sun-hat fleece-pullover", products, " ")
  split("shoes jackets backpacks camping accessories sale", categories, " ")
  split("how-to-choose-hiking-boots layering-101 best-trails-2026 caring-for-merino", posts, " ")
  split("shipping returns sizing contact", topics, " ")
  # path sections: home, product, category, search, cart, checkout, blog, account, help
  section_weights = "15 35 15 10 8 4 8 3 2"
  split("- https://www.google.com/ https://www.bing.com/ https://duckduckgo.com/ https://news.ycombinator.com/ " \
        "https://t.co/ https://www.facebook.com/", referrers, " ")
  referrer_weights = "40 25 10 8 7 5 5"
  good = nan = no_user = bad_country = 0

  for (id = from; id <= to; id++) {
    # The session: one of 4 open at a time in each block of 16 events (about 4 page views a session).
    start(id); session = int(id / 16) * 4 + pick(4) - 1
    start(1000000000 + session); session_id = sprintf("%08x", next_draw())
    user = next_draw() % 20000
    start(2000000000 + user); user_id = sprintf("u%06d", user)
    r = uniform(); device = r < 0.55 ? "mobile" : r < 0.9 ? "desktop" : "tablet"
    country = countries[weighted(country_weights)]

    start(id); next_draw()                              # the event's own draws, after the one that chose the session
    s = weighted(section_weights)
    if (s == 1) path = "/"
    else if (s == 2) path = "/products/" products[pick(12)]
    else if (s == 3) path = "/category/" categories[pick(6)]
    else if (s == 4) path = "/search"
    else if (s == 5) path = "/cart"
    else if (s == 6) path = "/checkout"
    else if (s == 7) path = "/blog/" posts[pick(4)]
    else if (s == 8) path = "/account"
    else path = "/help/" topics[pick(4)]
    referrer = referrers[weighted(referrer_weights)]
    duration = int(exp(6 + 2.5 * (uniform() + uniform())))  # 400 ms to 60 s, median about 5 s
    ts = iso(base + (id - from) * gap - int(uniform() * 2000))  # sent up to 2 s after the click: not in id order

    fault = uniform()
    if (fault < 0.01) { duration = "NaN"; nan++ }
    else if (fault < 0.015) { user_id = ""; no_user++ }
    else if (fault < 0.018) { country = "??"; bad_country++ }
    else good++

    fields = arg("event_id") arg(id)
    if (user_id != "") fields = fields arg("user_id") arg(user_id)
    fields = fields arg("session_id") arg(session_id) arg("path") arg(path)
    pairs = 8 - (user_id == "")
    if (referrer != "-") { fields = fields arg("referrer") arg(referrer); pairs++ }
    fields = fields arg("device") arg(device) arg("country") arg(country) arg("ts") arg(ts) arg("duration_ms") arg(duration)
    printf "*%d\r\n%s%s%s%s", 3 + 2 * pairs, arg("XADD"), arg(stream), arg(id "-0"), fields
  }
  print good, nan, no_user, bad_country >> tallies
}
