"""A first session with a Python client generated from the served OpenAPI document by
openapi-python-client, as an integrator would write it: log in, create a project (retried under
one Idempotency-Key), list, change its status, and read a 422 problem's field errors.

Usage: first_session.py BASE_URL EMAIL PASSWORD (the generated package on PYTHONPATH).
Prints one line per step; exits non-zero at the first surprise.
"""

import sys
import uuid

from pet_pixel_studio_api_client import AuthenticatedClient, Client
from pet_pixel_studio_api_client.api.auth import create_session
from pet_pixel_studio_api_client.api.projects import create_project, list_projects, update_project_status
from pet_pixel_studio_api_client.models import CreateProject, LoginRequest, PageProject, Problem, Project, SetStatus, TokenResponse
from pet_pixel_studio_api_client.models.project_status import ProjectStatus

base, email, password = sys.argv[1:4]

tokens = create_session.sync(client=Client(base_url=base), body=LoginRequest(email=email, password=password))
assert isinstance(tokens, TokenResponse), tokens
print("logged in")
client = AuthenticatedClient(base_url=base, token=tokens.access_token)

order = CreateProject.from_dict(
    {
        "customer_name": "Sunny Lee",
        "customer_email": "sunny@example.com",
        "pet_name": "Pyxel",
        "package_type": "custom",
        "game_config": {"theme": "space adventure", "difficulty": "easy", "features": ["leaderboard"]},
    }
)
key = str(uuid.uuid4())
first = create_project.sync_detailed(client=client, body=order, idempotency_key=key)
again = create_project.sync_detailed(client=client, body=order, idempotency_key=key)
assert first.status_code == 201 and isinstance(first.parsed, Project), first
assert again.status_code == 201 and again.parsed.id == first.parsed.id, again
assert again.headers.get("idempotency-replayed") == "true", again.headers
project = first.parsed
print(f"created {project.pet_name} once: {project.id}")

page = list_projects.sync(client=client, limit=100)
assert isinstance(page, PageProject), page
assert all(isinstance(p, Project) for p in page.items), [type(p) for p in page.items]
assert any(p.id == project.id for p in page.items)
print(f"listed {page.total} projects as Project items")

moved = update_project_status.sync(id=project.id, client=client, body=SetStatus(status=ProjectStatus.IN_PROGRESS))
assert isinstance(moved, Project) and moved.status == ProjectStatus.IN_PROGRESS, moved
print(f"status {moved.status.value}")

bad = CreateProject.from_dict({**order.to_dict(), "customer_email": "not an address", "pet_name": ""})
problem = create_project.sync(client=client, body=bad)
assert isinstance(problem, Problem) and problem.status == 422, problem
fields = sorted(e.field for e in problem.errors)
assert fields == ["customer_email", "pet_name"], fields
print(f"refused: {', '.join(fields)}")
