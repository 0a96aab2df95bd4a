-- wrk: POST with an empty body (the baseline write endpoint).
wrk.method = "POST"
wrk.body = ""
