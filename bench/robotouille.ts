/**
 * What the benches need to run the original Robotouille engine beside ours: its gym / pddlgym imports
 * stubbed (they are only used for the spaces and the PDDL parser the synchronous engine never calls), and
 * the package made importable from a checkout at \`root\` (the search tool's mirror; nothing of it is
 * committed). Inserted at the top of each bench's Python harness, after \`root\` is set.
 */
export const ROBOTOUILLE_IMPORT_STUB = String.raw`sys.path.insert(0, root)
gym = types.ModuleType('gym'); spaces = types.ModuleType('gym.spaces')
class Text:
    def __init__(self, *a, **k): pass
class Env: pass
spaces.Text = Text; gym.spaces = spaces; gym.Env = Env
sys.modules['gym'] = gym; sys.modules['gym.spaces'] = spaces
sys.modules['utils.pddlgym_interface'] = types.ModuleType('utils.pddlgym_interface')
pkg = types.ModuleType('robotouille'); pkg.__path__ = [root + '/robotouille']; sys.modules['robotouille'] = pkg`;
