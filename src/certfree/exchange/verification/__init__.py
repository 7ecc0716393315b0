"""Department verification (部门核验): a fact no question covers, asked of the department in
plain words and answered by a clerk there (``requests``: the state of both sides; ``delivery``:
the messages between nodes; ``fields``: checks and deadlines; ``models``: the table).
"""
