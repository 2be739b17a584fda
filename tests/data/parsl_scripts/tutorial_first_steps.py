"""The first steps of Parsl's introductory tutorial, written as a Parsl user would.

Run unmodified with `conveyor run`: it imports Parsl's ready local_threads config, runs a
Python app and a Bash app whose stdout goes to a file, passes Files between apps, and
gathers a parallel map. Everything lands in the working directory.
"""

import parsl
from parsl.app.app import bash_app, python_app
from parsl.configs.local_threads import config
from parsl.data_provider.files import File

# parsl.set_stream_logger()  # the tutorial's hint for seeing the log

print(parsl.__version__ != "")
parsl.load(config)


@python_app
def hello_python(message):
    return f"Hello {message}"


@bash_app
def hello_bash(message, stdout="hello-stdout"):
    return f'echo "Hello {message}"'


print(hello_python("World (Python)").result())
hello_bash("World (Bash)").result()
with open("hello-stdout") as f:
    print(f.read().strip())


@bash_app
def write_number(n, outputs=()):
    return f"echo {n} > {outputs[0]}"


@bash_app
def concat(inputs=(), outputs=(), stdout="concat.out", stderr="concat.err"):
    paths = " ".join(i.filepath for i in inputs)
    return f"cat {paths} > {outputs[0]}"


@python_app
def total(inputs=()):
    with open(inputs[0].filepath) as f:
        return sum(int(line) for line in f)


numbers = [write_number(i, outputs=[File(f"n-{i}.txt")]) for i in range(5)]
joined = concat(inputs=[n.outputs[0] for n in numbers], outputs=[File("all-numbers.txt")])
print("total", total(inputs=[joined.outputs[0]]).result())


@python_app
def square(x):
    return x * x


futures = [square(i) for i in range(10)]
print("squares", sum(f.result() for f in futures))
print("done", all(f.done() for f in futures))

parsl.dfk().cleanup()
