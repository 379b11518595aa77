"""The web console: server-rendered pages served by the node, every asset its own.

Adding a page:

- a route on an ``APIRouter(include_in_schema=False)``, included in
  :func:`ipfed.nodes.console.install.install_console`, and declared in the policy's
  ``CONSOLE`` table (``nodes/auth/policy.py``) with its audience;
- its caller from :data:`ipfed.nodes.console.dependencies.Signed` (``person_of`` for
  pages that are a person's, ``Now`` for the node's clock);
- its answer from :func:`ipfed.nodes.console.templating.render` with a template that
  extends ``base.html`` and fills ``{% block content %}``; every form has
  ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``;
- every code it shows through the ``words`` filter, with its words in
  :data:`ipfed.nodes.console.i18n.CATALOGUE`;
- a link, if the header should show one, in
  :data:`ipfed.nodes.console.templating.NAVIGATION`.

Errors on console paths are answered as pages (a GET without a session goes to the
sign-in page); the JSON API's errors are unchanged.
"""
