"""One construct per capability; each capability that a route can ask for (`Access`) exposes a
`grant_*(function)` that adds exactly the environment and IAM that access needs."""
