"""The Almanac GraphQL schema: every domain's Query, Mutation and Subscription merged.

A domain adds ``schema/<domain>/query.py`` (``XQuery``) and
``schema/<domain>/mutation.py`` (``XMutation``) and lists them below.
"""
from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.tools import merge_types

from schema.auth.mutation import AuthMutation
from schema.community.mutation import CommunityMutation
from schema.community.query import CommunityQuery
from schema.core.extensions import AuthenticationExtension, ErrorExtension, SessionExtension
from schema.public.query import PublicQuery
from schema.user.query import UserQuery


@strawberry.type
class NodeQuery:
    node: relay.Node | None = relay.node()
    nodes: list[relay.Node | None] = relay.node()


QUERIES: tuple[type, ...] = (NodeQuery, UserQuery, CommunityQuery, PublicQuery)
MUTATIONS: tuple[type, ...] = (AuthMutation, CommunityMutation)

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS)

EXTENSIONS: list[type] = [SessionExtension, ErrorExtension, AuthenticationExtension]

schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=EXTENSIONS)
