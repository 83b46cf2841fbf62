"""IAM policies: parse and validate documents, evaluate identity and trust policies (pure).

See README.md in this package for the evaluation flow and the glossary.
"""

from dockyard.domain.policy.document import (
    Condition,
    Effect,
    PolicyDocument,
    PolicyKind,
    PrincipalSet,
    SetQualifier,
    Statement,
)
from dockyard.domain.policy.engine import (
    AccessRequest,
    CompiledPolicySet,
    Decision,
    Evaluation,
    NamedPolicy,
    compile_policies,
)
from dockyard.domain.policy.parser import parse_policy_document
from dockyard.domain.policy.trust import TrustPrincipal, evaluate_trust

__all__ = [
    "AccessRequest",
    "CompiledPolicySet",
    "Condition",
    "Decision",
    "Effect",
    "Evaluation",
    "NamedPolicy",
    "PolicyDocument",
    "PolicyKind",
    "PrincipalSet",
    "SetQualifier",
    "Statement",
    "TrustPrincipal",
    "compile_policies",
    "evaluate_trust",
    "parse_policy_document",
]
