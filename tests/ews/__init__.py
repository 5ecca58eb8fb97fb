"""An Exchange Web Services test server (``server.EwsServer``) that exchangelib talks to unmodified,
Microsoft's EWS schemas to check its answers against (``schema``), and the tests of both."""
