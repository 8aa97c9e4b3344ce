"""The graph that ``langgraph.json`` points at (LangGraph Studio, ``langgraph dev``)."""

from graph.builder import build_graph

graph = build_graph()
