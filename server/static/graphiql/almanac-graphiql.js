// Almanac's GraphiQL page: everything is served by the Almanac server itself (no CDN),
// a sign-in form keeps the bearer token in localStorage and adds it to every request
// (HTTP header, and the websocket's connection_init for subscriptions).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("almanac-config").textContent);
  var TOKEN_KEY = "almanac:token";
  var USER_KEY = "almanac:user";
  var form = document.getElementById("signin");
  var status = document.getElementById("status");
  var signout = document.getElementById("signout");

  function token() { return window.localStorage.getItem(TOKEN_KEY); }

  function authHeaders() {
    var t = token();
    return t ? { Authorization: "Bearer " + t } : {};
  }

  function showUser() {
    var user = window.localStorage.getItem(USER_KEY);
    var signedIn = Boolean(token());
    form.querySelector(".fields").hidden = signedIn;
    signout.hidden = !signedIn;
    status.textContent = signedIn
      ? "Signed in as " + user + " — the token is sent with every request."
      : "Not signed in: demo accounts are admin@, manager@, staff@, viewer@almanac.local (password almanac-demo).";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    status.textContent = "Signing in…";
    fetch(config.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        query: "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) " +
               "{ token user { name role email } errors { code message } } }",
        variables: { e: data.get("email"), p: data.get("password") },
      }),
    }).then(function (response) { return response.json(); }).then(function (body) {
      var login = body.data && body.data.login;
      if (!login || !login.token) {
        var errors = (login && login.errors) || body.errors || [];
        status.textContent = "Sign-in failed: " + (errors.length ? errors[0].message : "no answer");
        return;
      }
      window.localStorage.setItem(TOKEN_KEY, login.token);
      window.localStorage.setItem(USER_KEY, login.user.email + " (" + login.user.role + ")");
      showUser();
    }).catch(function (error) { status.textContent = "Sign-in failed: " + error; });
  });

  signout.addEventListener("click", function () {
    window.localStorage.removeItem(TOKEN_KEY);
    window.localStorage.removeItem(USER_KEY);
    showUser();
  });

  // A fresh fetcher per operation, so a token obtained after the page loaded is used.
  function fetcher(params, options) {
    var headers = Object.assign({}, authHeaders(), (options && options.headers) || {});
    var inner = GraphiQL.createFetcher({
      url: config.url,
      subscriptionUrl: config.subscriptionUrl,
      headers: headers,
      wsConnectionParams: headers.Authorization ? { Authorization: headers.Authorization } : {},
    });
    return inner(params, options);
  }

  showUser();
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultTabs: config.tabs,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false,
  }));
})();
