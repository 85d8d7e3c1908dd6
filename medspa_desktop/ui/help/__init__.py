"""Help inside the program: the user guide (resources/help/), the keyboard shortcuts listed
from the real actions, and the "What's this?" texts of the harder screens."""
